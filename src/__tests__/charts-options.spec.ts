import {
  buildParallelOption,
  buildScatterOption,
  describeDimension,
  toNumber
} from '../charts/plot-options';
import type { IThemeColors } from '../charts/use-theme-colors';

const theme: IThemeColors = {
  text: '#111',
  grid: '#eee',
  axis: '#999',
  background: '#fff',
  font: 'sans-serif'
};

describe('describeDimension', () => {
  it('treats numeric strings (params) as numbers', () => {
    expect(describeDimension('lr', ['0.1', 0.01, null, '1e-3'])).toEqual({
      name: 'lr',
      type: 'value',
      min: 0.001,
      max: 0.1
    });
  });

  it('makes a sorted category axis as soon as one value is text', () => {
    expect(describeDimension('opt', ['sgd', 'adam', 'sgd', null])).toEqual({
      name: 'opt',
      type: 'category',
      categories: ['adam', 'sgd']
    });
    expect(describeDimension('layers', ['10', 'x2', '2']).categories).toEqual([
      '2',
      '10',
      'x2'
    ]);
  });

  it('reads NaN and infinities as missing numbers', () => {
    expect(toNumber('NaN')).toBeNull();
    expect(toNumber(Infinity)).toBeNull();
    expect(toNumber('3')).toBe(3);
  });
});

describe('buildParallelOption', () => {
  const rows = [
    { id: 'r1', label: 'run 1', values: ['0.1', 'adam', 0.5] },
    { id: 'r2', label: 'run 2', values: ['0.01', 'sgd', null] }
  ];
  const dims = ['lr', 'opt', 'loss'];

  it('makes one axis per dimension, numeric or categorical', () => {
    const option = buildParallelOption(dims, rows, theme) as any;
    expect(
      option.parallelAxis.map((a: any) => [a.dim, a.name, a.type])
    ).toEqual([
      [0, 'lr', 'value'],
      [1, 'opt', 'category'],
      [2, 'loss', 'value']
    ]);
    expect(option.parallelAxis[1].data).toEqual(['adam', 'sgd']);
  });

  it('gives one line per run, with missing values marked', () => {
    const option = buildParallelOption(dims, rows, theme) as any;
    const data = option.series[0].data;
    expect(data.map((d: any) => d.id)).toEqual(['r1', 'r2']);
    expect(data[0].value).toEqual([0.1, 'adam', 0.5]);
    expect(data[1].value).toEqual([0.01, 'sgd', '-']);
    expect(option.visualMap).toBeUndefined();
  });

  it('colours by a numeric dimension with a gradient', () => {
    const option = buildParallelOption(dims, rows, theme, 'lr') as any;
    expect(option.visualMap).toMatchObject({
      dimension: 0,
      min: 0.01,
      max: 0.1
    });
  });

  it('colours by a categorical dimension with one colour per category', () => {
    const option = buildParallelOption(
      dims,
      [...rows, { id: 'r3', label: 'run 3', values: ['1', 'adam', 1] }],
      theme,
      'opt'
    ) as any;
    const colors = option.series[0].data.map((d: any) => d.lineStyle.color);
    expect(colors[0]).toBe(colors[2]);
    expect(colors[0]).not.toBe(colors[1]);
  });

  it('uses the theme colours for text', () => {
    const option = buildParallelOption(dims, rows, theme) as any;
    expect(option.textStyle.color).toBe('#111');
  });
});

describe('buildScatterOption', () => {
  const points = [
    { id: 'a', label: 'a', x: '0.1', y: 0.5 },
    { id: 'b', label: 'b', x: '0.01', y: 0.2 },
    { id: 'c', label: 'c', x: null, y: 0.1 },
    { id: 'd', label: 'd', x: '0', y: 0.3 }
  ];

  it('plots numeric points and leaves out incomplete ones', () => {
    const option = buildScatterOption(points, 'lr', 'loss', theme) as any;
    expect(option.xAxis.type).toBe('value');
    expect(option.series[0].data.map((d: any) => d.id)).toEqual([
      'a',
      'b',
      'd'
    ]);
    expect(option.series[0].data[0].value).toEqual([0.1, 0.5]);
  });

  it('leaves out non-positive values on a log axis', () => {
    const option = buildScatterOption(points, 'lr', 'loss', theme, {
      xLog: true
    }) as any;
    expect(option.xAxis.type).toBe('log');
    expect(option.series[0].data.map((d: any) => d.id)).toEqual(['a', 'b']);
  });

  it('uses a category axis for text values', () => {
    const option = buildScatterOption(
      [
        { id: 'a', label: 'a', x: 'adam', y: 1 },
        { id: 'b', label: 'b', x: 'sgd', y: 2 }
      ],
      'opt',
      'loss',
      theme
    ) as any;
    expect(option.xAxis).toMatchObject({
      type: 'category',
      data: ['adam', 'sgd']
    });
    expect(option.series[0].data[1].value).toEqual(['sgd', 2]);
  });
});
