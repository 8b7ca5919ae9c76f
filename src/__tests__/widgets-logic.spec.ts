import {
  chartsByKey,
  countPoints,
  IRunRow,
  IWireSeries,
  mergePoints,
  parallelData,
  SeriesStore,
  sortRows
} from '../widgets/logic';

function wire(
  key: string,
  steps: number[],
  runId = 'r1',
  label = key
): IWireSeries {
  return {
    run_id: runId,
    key,
    label,
    step: steps,
    time: steps.map(s => 1000 + s),
    value: steps.map(s => s / 10)
  };
}

function run(
  id: string,
  params: Record<string, string>,
  metrics: Record<string, number | null>,
  start = 0
): IRunRow {
  return {
    run_id: id,
    name: `run-${id}`,
    experiment_id: '1',
    status: 'FINISHED',
    start_time: start,
    end_time: null,
    params,
    metrics
  };
}

describe('mergePoints', () => {
  it('appends pushed points to their series and keeps others untouched', () => {
    let store: SeriesStore = new Map();
    store = mergePoints(store, 'points', [
      wire('loss', [0, 1]),
      wire('acc', [0])
    ]);
    const acc = store.get('r1\u0000acc');
    store = mergePoints(store, 'points', [wire('loss', [2, 3])]);

    expect(store.get('r1\u0000loss')!.step).toEqual([0, 1, 2, 3]);
    expect(store.get('r1\u0000loss')!.value).toEqual([0, 0.1, 0.2, 0.3]);
    expect(store.get('r1\u0000acc')).toBe(acc);
    expect(countPoints(store)).toBe(5);
  });

  it('replaces everything with a snapshot', () => {
    let store = mergePoints(new Map(), 'points', [wire('loss', [0, 1, 2])]);
    store = mergePoints(store, 'snapshot', [wire('acc', [0, 1])]);
    expect(Array.from(store.keys())).toEqual(['r1\u0000acc']);
    expect(countPoints(store)).toBe(2);
  });

  it('does not share arrays with the message it was given', () => {
    const message = wire('loss', [0]);
    const store = mergePoints(new Map(), 'points', [message]);
    message.step.push(99);
    expect(store.get('r1\u0000loss')!.step).toEqual([0]);
  });

  it('takes the newest label of a series (a run named later)', () => {
    let store = mergePoints(new Map(), 'points', [
      wire('loss', [0], 'r1', 'x')
    ]);
    store = mergePoints(store, 'points', [
      wire('loss', [1], 'r1', 'run · loss')
    ]);
    expect(store.get('r1\u0000loss')!.label).toBe('run · loss');
  });
});

describe('chartsByKey', () => {
  it('makes one chart per key with one line per run, on steps or times', () => {
    const series = [
      wire('loss', [0, 1], 'a', 'a · loss'),
      wire('acc', [0, 1], 'a', 'a · acc'),
      wire('loss', [0, 1], 'b', 'b · loss')
    ];
    const byStep = chartsByKey(series, 'step');
    expect(byStep.map(c => c.key)).toEqual(['loss', 'acc']);
    expect(byStep[0].series.map(s => s.label)).toEqual([
      'a · loss',
      'b · loss'
    ]);
    expect(byStep[0].series[0].x).toEqual([0, 1]);
    expect(chartsByKey(series, 'time')[0].series[0].x).toEqual([1000, 1001]);
  });

  it('passes downsampling bands through', () => {
    const banded = { ...wire('loss', [0]), min: [0], max: [1] };
    const [chart] = chartsByKey([banded], 'step');
    expect(chart.series[0].min).toEqual([0]);
    expect(chart.series[0].max).toEqual([1]);
  });
});

describe('sortRows', () => {
  const rows = [
    run('a', { lr: '0.1', model: 'rf' }, { loss: 0.5 }, 3),
    run('b', { lr: '0.05', model: 'gb' }, { loss: null }, 1),
    run('c', { lr: '1e-3' }, { loss: 0.2 }, 2)
  ];

  it('sorts metrics numerically with missing values last both ways', () => {
    const up = sortRows(rows, { column: 'metrics.loss', descending: false });
    expect(up.map(r => r.run_id)).toEqual(['c', 'a', 'b']);
    const down = sortRows(rows, { column: 'metrics.loss', descending: true });
    expect(down.map(r => r.run_id)).toEqual(['a', 'c', 'b']);
  });

  it('sorts numeric-looking params as numbers, text naturally', () => {
    const byLr = sortRows(rows, { column: 'params.lr', descending: false });
    expect(byLr.map(r => r.run_id)).toEqual(['c', 'b', 'a']);
    const byModel = sortRows(rows, {
      column: 'params.model',
      descending: false
    });
    expect(byModel.map(r => r.run_id)).toEqual(['b', 'a', 'c']);
  });

  it('sorts by start time and leaves its input alone', () => {
    const copy = rows.slice();
    const newest = sortRows(rows, { column: 'start_time', descending: true });
    expect(newest.map(r => r.run_id)).toEqual(['a', 'c', 'b']);
    expect(rows).toEqual(copy);
  });
});

describe('parallelData', () => {
  const runs = [
    run('a', { lr: '0.1', depth: '3', model: 'rf' }, { acc: 0.9 }),
    run('b', { lr: '0.2', depth: '3', model: 'gb' }, { acc: 0.8 })
  ];
  const params = [
    { key: 'lr', values: ['0.1', '0.2'], differs: true },
    { key: 'model', values: ['rf', 'gb'], differs: true },
    { key: 'depth', values: ['3', '3'], differs: false }
  ];

  it('puts the differing params then the metric on the axes', () => {
    const data = parallelData(runs, params, 'acc');
    expect(data.dimensions).toEqual(['lr', 'model', 'acc']);
    expect(data.rows[0]).toEqual({
      id: 'a',
      label: 'run-a',
      values: [0.1, 'rf', 0.9]
    });
  });

  it('uses every param when none differs, and no metric axis without one', () => {
    const same = params.map(p => ({ ...p, differs: false }));
    const data = parallelData(runs, same, '');
    expect(data.dimensions).toEqual(['lr', 'model', 'depth']);
    expect(data.rows[1].values).toEqual([0.2, 'gb', 3]);
  });
});
