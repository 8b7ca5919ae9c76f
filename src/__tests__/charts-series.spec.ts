import { aggregateSeries } from '../charts/aggregate';
import { formatCompact, formatXTick } from '../charts/axis-format';
import { seriesFromHistory } from '../charts/history';
import { seriesColor, withAlpha } from '../charts/palette';
import {
  alignColumns,
  buildChartModel,
  hasDrawableValues,
  prepareSeries
} from '../charts/series';
import { emaSmooth } from '../charts/smoothing';

describe('emaSmooth', () => {
  it('returns the values unchanged with weight 0', () => {
    expect(emaSmooth([1, 5, 2], 0)).toEqual([1, 5, 2]);
  });

  it('debiases the first value so it is not pulled towards zero', () => {
    const out = emaSmooth([10, 10, 10], 0.9);
    out.forEach(v => expect(v).toBeCloseTo(10, 10));
  });

  it('follows the TensorBoard formula', () => {
    const w = 0.6;
    const out = emaSmooth([1, 3], w);
    // last1 = 0.4, debias 0.4 -> 1; last2 = 0.24 + 1.2 = 1.44, debias 0.64
    expect(out[0]).toBeCloseTo(1);
    expect(out[1]).toBeCloseTo(1.44 / 0.64);
  });

  it('turns undrawable values into gaps without poisoning later values', () => {
    const out = emaSmooth([2, NaN, null, Infinity, 2], 0.5);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeNull();
    expect(out[3]).toBeNull();
    expect(out[0]).toBeCloseTo(2);
    expect(out[4]).toBeCloseTo(2);
  });

  it('clamps weights out of range instead of exploding', () => {
    const out = emaSmooth([1, 2, 3], 5);
    out.forEach(v => expect(Number.isFinite(v as number)).toBe(true));
    expect(emaSmooth([1, 2], -1)).toEqual([1, 2]);
  });
});

describe('prepareSeries', () => {
  it('sorts points by x, carrying y and the band along', () => {
    const p = prepareSeries(
      {
        label: 'a',
        x: [3, 1, 2],
        y: [30, 10, 20],
        min: [3, 1, 2],
        max: [33, 11, 22]
      },
      'step'
    );
    expect(p.x).toEqual([1, 2, 3]);
    expect(p.y).toEqual([10, 20, 30]);
    expect(p.min).toEqual([1, 2, 3]);
    expect(p.max).toEqual([11, 22, 33]);
  });

  it('keeps repeated steps in logging order', () => {
    const p = prepareSeries({ label: 'a', x: [2, 1, 1], y: [3, 1, 2] }, 'step');
    expect(p.y).toEqual([1, 2, 3]);
  });

  it('makes relative x start at the first timestamp', () => {
    const p = prepareSeries(
      { label: 'a', x: [5000, 7000, 6000], y: [1, 3, 2] },
      'relative'
    );
    expect(p.x).toEqual([0, 1000, 2000]);
  });

  it('keeps wall-clock timestamps for the time axis', () => {
    const p = prepareSeries({ label: 'a', x: [5000, 6000], y: [1, 2] }, 'time');
    expect(p.x).toEqual([5000, 6000]);
  });

  it('drops points with a non-finite x and ignores a short band', () => {
    const p = prepareSeries(
      { label: 'a', x: [1, NaN, 3], y: [1, 2, 3], min: [0], max: [4] },
      'step'
    );
    expect(p.x).toEqual([1, 3]);
    expect(p.min).toBeUndefined();
  });
});

describe('alignColumns', () => {
  it('uses a shared x as it is', () => {
    const x = [0, 1, 2];
    const data = alignColumns([
      { x, y: [1, 2, 3] },
      { x: [0, 1, 2], y: [4, 5, 6] }
    ]);
    expect(data).toEqual([
      [0, 1, 2],
      [1, 2, 3],
      [4, 5, 6]
    ]);
  });

  it('aligns different x on their union with undefined holes', () => {
    const data = alignColumns([
      { x: [0, 10, 20], y: [1, 2, 3] },
      { x: [5, 10], y: [7, null] }
    ]);
    expect(data[0]).toEqual([0, 5, 10, 20]);
    expect(data[1]).toEqual([1, undefined, 2, 3]);
    // A real null (undrawable point) stays null: uPlot breaks the line there.
    expect(data[2]).toEqual([undefined, 7, null, undefined]);
  });

  it('keeps the last value of a repeated x', () => {
    const data = alignColumns([
      { x: [0, 1, 1], y: [1, 2, 3] },
      { x: [0, 2], y: [5, 6] }
    ]);
    expect(data[0]).toEqual([0, 1, 2]);
    expect(data[1]).toEqual([1, 3, undefined]);
  });

  it('returns just an empty x without columns', () => {
    expect(alignColumns([])).toEqual([[]]);
  });
});

describe('buildChartModel', () => {
  const a = { label: 'a', x: [0, 1, 2], y: [1, 2, 4] };

  it('draws one line per series with palette colours', () => {
    const model = buildChartModel([a, { ...a, label: 'b' }], { xAxis: 'step' });
    expect(model.series.map(s => [s.label, s.role])).toEqual([
      ['a', 'line'],
      ['b', 'line']
    ]);
    expect(model.series[0].color).toBe(seriesColor(0));
    expect(model.series[1].color).toBe(seriesColor(1));
    expect(model.data).toHaveLength(3);
    expect(model.bands).toEqual([]);
  });

  it('adds max and min columns and a band between them', () => {
    const model = buildChartModel(
      [{ ...a, min: [0, 1, 3], max: [2, 3, 5], color: '#ff0000' }],
      { xAxis: 'step' }
    );
    expect(model.series.map(s => s.role)).toEqual(['line', 'max', 'min']);
    expect(model.bands).toEqual([
      { upper: 2, lower: 3, fill: 'rgba(255, 0, 0, 0.18)' }
    ]);
    expect(model.data[2]).toEqual([2, 3, 5]);
    expect(model.data[3]).toEqual([0, 1, 3]);
  });

  it('smooths the line and keeps the raw values as a faint line', () => {
    const model = buildChartModel([{ label: 'a', x: [0, 1], y: [0, 10] }], {
      xAxis: 'step',
      smoothing: 0.5
    });
    expect(model.series.map(s => s.role)).toEqual(['line', 'raw']);
    expect(model.data[2]).toEqual([0, 10]);
    expect(model.data[1][1]).toBeLessThan(10);
    expect(model.series[1].color).toMatch(/^rgba\(/);
  });

  it('leaves out values a log scale cannot place', () => {
    const model = buildChartModel(
      [{ label: 'a', x: [0, 1, 2, 3], y: [0, -1, 5, NaN] }],
      { xAxis: 'step', logScale: true }
    );
    expect(model.data[1]).toEqual([null, null, 5, null]);
  });

  it('aligns runs with different steps', () => {
    const model = buildChartModel(
      [
        { label: 'a', x: [0, 2], y: [1, 2] },
        { label: 'b', x: [1, 2], y: [3, 4] }
      ],
      { xAxis: 'step' }
    );
    expect(model.data).toEqual([
      [0, 1, 2],
      [1, undefined, 2],
      [undefined, 3, 4]
    ]);
  });

  it('handles a million points quickly', () => {
    const n = 1_000_000;
    const x = Array.from({ length: n }, (_, i) => i);
    const y = x.map(i => Math.sin(i / 1000));
    const started = Date.now();
    const model = buildChartModel([{ label: 'big', x, y }], {
      xAxis: 'step',
      smoothing: 0.9
    });
    expect(model.data[0]).toHaveLength(n);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('hasDrawableValues', () => {
  it('is false when nothing finite is there', () => {
    expect(hasDrawableValues([])).toBe(false);
    expect(hasDrawableValues([{ label: 'a', x: [0], y: [null] }])).toBe(false);
    expect(hasDrawableValues([{ label: 'a', x: [0], y: [NaN] }])).toBe(false);
    expect(hasDrawableValues([{ label: 'a', x: [0], y: [1] }])).toBe(true);
  });
});

describe('aggregateSeries', () => {
  it('draws the mean with a min-max band over runs at the same steps', () => {
    const group = aggregateSeries(
      [
        { label: 's1', x: [0, 1], y: [1, 3] },
        { label: 's2', x: [0, 1], y: [3, 5] },
        { label: 's3', x: [0, 1], y: [2, 4] }
      ],
      'lr=0.1',
      'step'
    );
    expect(group.label).toBe('lr=0.1');
    expect(group.x).toEqual([0, 1]);
    expect(group.y).toEqual([2, 4]);
    expect(group.min).toEqual([1, 3]);
    expect(group.max).toEqual([3, 5]);
  });

  it('uses mean ± population standard deviation for a std band', () => {
    const group = aggregateSeries(
      [
        { label: 's1', x: [0], y: [1] },
        { label: 's2', x: [0], y: [3] }
      ],
      'g',
      'step',
      'std'
    );
    expect(group.y).toEqual([2]);
    expect(group.min).toEqual([1]);
    expect(group.max).toEqual([3]);
  });

  it('interpolates runs that were logged at different x', () => {
    const group = aggregateSeries(
      [
        { label: 's1', x: [0, 10], y: [0, 10] },
        { label: 's2', x: [0, 5, 10], y: [2, 2, 2] }
      ],
      'g',
      'step'
    );
    expect(group.x).toEqual([0, 5, 10]);
    // s1 at 5 is interpolated to 5: mean of 5 and 2.
    expect(group.y).toEqual([1, 3.5, 6]);
  });

  it('only counts a run inside its own range and skips missing values', () => {
    const group = aggregateSeries(
      [
        { label: 's1', x: [0, 1, 2], y: [1, null, 1] },
        { label: 's2', x: [1, 2], y: [3, 3] }
      ],
      'g',
      'step',
      'none'
    );
    expect(group.x).toEqual([0, 1, 2]);
    expect(group.y).toEqual([1, 2, 2]);
    expect(group.min).toBeUndefined();
  });

  it('aligns relative time at each run start', () => {
    const group = aggregateSeries(
      [
        { label: 's1', x: [1000, 2000], y: [1, 2] },
        { label: 's2', x: [5000, 6000], y: [3, 4] }
      ],
      'g',
      'relative'
    );
    expect(group.x).toEqual([0, 1000]);
    expect(group.y).toEqual([2, 3]);
    // The result is already relative: the chart's own conversion keeps it.
    expect(prepareSeries(group, 'relative').x).toEqual([0, 1000]);
  });
});

describe('seriesFromHistory', () => {
  const points = [
    { step: 0, timestamp: 1000, value: 1 },
    { step: 1, timestamp: 2000, value: 2 }
  ];

  it('uses steps or timestamps for x', () => {
    expect(seriesFromHistory('loss', points, 'step').x).toEqual([0, 1]);
    expect(seriesFromHistory('loss', points, 'time').x).toEqual([1000, 2000]);
    expect(seriesFromHistory('loss', points, 'step').min).toBeUndefined();
  });

  it('turns downsampled buckets into a band', () => {
    const series = seriesFromHistory(
      'loss',
      [
        { step: 0, timestamp: 1, value: 2, min: 1, max: 3, count: 10 },
        { step: 10, timestamp: 2, value: 5 }
      ],
      'step'
    );
    expect(series.min).toEqual([1, 5]);
    expect(series.max).toEqual([3, 5]);
  });
});

describe('palette and axis labels', () => {
  it('wraps around the palette and adds alpha to hex colours', () => {
    expect(seriesColor(10)).toBe(seriesColor(0));
    expect(withAlpha('#abc', 0.5)).toBe('rgba(170, 187, 204, 0.5)');
    expect(withAlpha('red', 0.5)).toBe('red');
  });

  it('formats steps compactly and relative times as durations', () => {
    expect(formatCompact(1_200_000)).toBe('1.2M');
    expect(formatCompact(15_000)).toBe('15k');
    expect(formatCompact(999)).toBe('999');
    expect(formatXTick(90_000, 'relative')).toBe('1 min 30 s');
    expect(formatXTick(0, 'relative')).toBe('0');
  });
});
