import type { IRun } from '../api';
import { buildParallelOption } from '../charts/plot-options';
import { buildSeries } from '../panel/build-chart-series';
import type { IChartOptions } from '../panel/chart-controls';
import {
  bestIndices,
  defaultDirection,
  metricValues,
  runColors
} from '../panel/compare-logic';

function run(
  id: string,
  metrics: Record<string, [number, number, number]>
): IRun {
  const summary: IRun['metrics'] = {};
  for (const [key, [value, min, max]] of Object.entries(metrics)) {
    summary[key] = { value, step: 9, timestamp: 1, min, max };
  }
  return {
    info: {
      run_id: id.padEnd(32, '0'),
      run_name: id,
      experiment_id: '1',
      user: 'ada',
      status: 'FINISHED',
      start_time: 1000,
      end_time: 4000,
      parent_run_id: null,
      lifecycle_stage: 'active',
      artifact_uri: ''
    },
    params: {},
    tags: {},
    metrics: summary,
    inputs: { datasets: [], models: [] },
    outputs: { models: [] }
  } as IRun;
}

describe('defaultDirection', () => {
  it.each([
    ['loss', 'min'],
    ['val_loss', 'min'],
    ['test/Error', 'min'],
    ['rmse', 'min'],
    ['val_mae', 'min'],
    ['accuracy', 'max'],
    ['f1', 'max'],
    ['reward', 'max']
  ])('reads %s as %s is better', (key, direction) => {
    expect(defaultDirection(key)).toBe(direction);
  });
});

describe('bestIndices', () => {
  it('picks the lowest or the highest finite value, every one on a tie', () => {
    expect(bestIndices([0.3, 0.1, null, 0.1, NaN], 'min')).toEqual([1, 3]);
    expect(bestIndices([0.3, 0.1, null, 0.1, Infinity], 'max')).toEqual([0]);
  });

  it('calls nothing best with one value or when all agree', () => {
    expect(bestIndices([0.3, null], 'min')).toEqual([]);
    expect(bestIndices([0.5, 0.5], 'max')).toEqual([]);
  });
});

describe('metricValues', () => {
  const runs = [
    run('a', { loss: [0.4, 0.2, 0.9], accuracy: [0.7, 0.1, 0.8] }),
    run('b', { loss: [0.3, 0.3, 0.8] }),
    run('c', { loss: [0.5, 0.1, 1.0], accuracy: [0.9, 0.2, 0.95] })
  ];

  it('gives last, min and max per run and the best per stat', () => {
    const [accuracy, loss] = metricValues(runs, ['accuracy', 'loss']);
    expect(loss.direction).toBe('min');
    expect(loss.values.value).toEqual([0.4, 0.3, 0.5]);
    expect(loss.values.min).toEqual([0.2, 0.3, 0.1]);
    expect(loss.best).toEqual({ value: [1], min: [2], max: [1] });
    expect(accuracy.direction).toBe('max');
    expect(accuracy.values.value).toEqual([0.7, null, 0.9]);
    expect(accuracy.best.value).toEqual([2]);
  });

  it('follows a direction the user flipped', () => {
    const [loss] = metricValues(runs, ['loss'], { loss: 'max' });
    expect(loss.direction).toBe('max');
    expect(loss.best.value).toEqual([2]);
  });
});

describe('colours of compared runs', () => {
  const options: IChartOptions = {
    xAxis: 'step',
    smoothing: 0,
    logScale: false,
    layout: 'grid',
    groupBy: null,
    band: 'minmax'
  };
  const points = [{ step: 0, timestamp: 1, value: 1 }];

  it('keeps each run its colour when others are hidden', () => {
    const all = [run('a', {}), run('b', {}), run('c', {})];
    const colors = runColors(all, i => `colour-${i}`);
    const shown = [all[0], all[2]];
    const series = buildSeries(
      shown.map(r => ({ run: r, key: 'loss', history: { points } })),
      shown,
      ['loss'],
      options,
      colors
    );
    expect(series.map(s => [s.label, s.color])).toEqual([
      ['a', 'colour-0'],
      ['c', 'colour-2']
    ]);
  });
});

describe('parallel coordinates of compared runs', () => {
  const theme = {
    text: '#111',
    grid: '#eee',
    axis: '#999',
    background: '#fff',
    font: 'sans-serif'
  };
  const rows = [
    { id: 'r1', label: 'a', values: [0.1, 'adam'], color: '#111111' },
    { id: 'r3', label: 'c', values: [0.3, 'sgd'], color: '#333333' }
  ];

  it("draws each run's line in the run's colour", () => {
    const option = buildParallelOption(['lr', 'opt'], rows, theme) as any;
    expect(option.series[0].data.map((d: any) => d.lineStyle.color)).toEqual([
      '#111111',
      '#333333'
    ]);
  });

  it('lets a chosen column colour the lines instead', () => {
    const option = buildParallelOption(
      ['lr', 'opt'],
      rows,
      theme,
      'opt'
    ) as any;
    expect(
      option.series[0].data.map((d: any) => d.lineStyle.color)
    ).not.toContain('#333333');
  });
});
