import type { IRun } from '../api';
import {
  baseName,
  formatBytes,
  previewKind,
  stripAnsi
} from '../panel/artifact-kind';
import { columnTitle, formatCell, isNumericColumn } from '../panel/cell-format';
import {
  cellValue,
  collectKeys,
  moveColumn,
  orderByFor,
  parseColumnId,
  quoteKey,
  resolveColumns
} from '../panel/columns';
import {
  diffParams,
  groupRuns,
  NO_VALUE,
  parallelRows,
  scatterPoints
} from '../panel/compare-logic';
import { forEachLimited } from '../panel/concurrency';
import { applyCompletion, completeFilter } from '../panel/filter-completion';
import { pointsForWidth } from '../panel/history-cache';
import { runArtifactSource, suggestModelName } from '../panel/register-model';
import { sourceNotebook } from '../panel/run-overview';

function run(
  id: string,
  params: Record<string, string> = {},
  metrics: Record<string, number> = {},
  extra: Partial<IRun['info']> = {}
): IRun {
  const summary: IRun['metrics'] = {};
  for (const [key, value] of Object.entries(metrics)) {
    summary[key] = { value, step: 1, timestamp: 1, min: value, max: value };
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
      artifact_uri: '',
      ...extra
    },
    params,
    tags: { team: 'growth', 'mlflow.user': 'ada' },
    metrics: summary,
    inputs: { datasets: [], models: [] },
    outputs: { models: [] }
  };
}

describe('columns', () => {
  it('parses column ids and rejects unknown ones', () => {
    expect(parseColumnId('metrics.val/loss')).toEqual({
      kind: 'metric',
      key: 'val/loss'
    });
    expect(parseColumnId('params.lr')).toEqual({ kind: 'param', key: 'lr' });
    expect(parseColumnId('tags.team')).toEqual({ kind: 'tag', key: 'team' });
    expect(parseColumnId('status')).toEqual({
      kind: 'attribute',
      key: 'status'
    });
    expect(parseColumnId('metrics.')).toBeNull();
    expect(parseColumnId('bogus')).toBeNull();
  });

  it('expands the metrics shorthand to metric keys not listed already', () => {
    expect(
      resolveColumns(
        ['status', 'metrics', 'metrics.b', 'bogus', 'status'],
        ['a', 'b', 'c', 'd', 'e', 'f']
      )
    ).toEqual([
      'status',
      'metrics.a',
      'metrics.c',
      'metrics.d',
      'metrics.e',
      'metrics.b'
    ]);
  });

  it('quotes keys the search language cannot read bare', () => {
    expect(quoteKey('val_loss')).toBe('val_loss');
    expect(quoteKey('system/cpu.util')).toBe('system/cpu.util');
    expect(quoteKey('f1 score')).toBe('`f1 score`');
    expect(quoteKey('odd`key')).toBe('"odd`key"');
  });

  it('maps columns to the server order_by', () => {
    expect(orderByFor('metrics.loss', false)).toBe('metrics.loss ASC');
    expect(orderByFor('params.f1 score', true)).toBe('params.`f1 score` DESC');
    expect(orderByFor('start_time', true)).toBe('attributes.start_time DESC');
    expect(orderByFor('run_name', false)).toBe('attributes.run_name ASC');
    expect(orderByFor('tags.team', false)).toBe('tags.team ASC');
    // Duration is computed in the browser: the server cannot sort by it.
    expect(orderByFor('duration', true)).toBeNull();
  });

  it('reads cell values, with live durations for running runs', () => {
    const r = run('a', { lr: '0.1' }, { loss: 0.5 });
    expect(cellValue(r, 'metrics.loss', 0)).toBe(0.5);
    expect(cellValue(r, 'metrics.missing', 0)).toBeNull();
    expect(cellValue(r, 'params.lr', 0)).toBe('0.1');
    expect(cellValue(r, 'tags.team', 0)).toBe('growth');
    expect(cellValue(r, 'duration', 0)).toBe(3000);
    const running = run('b', {}, {}, { status: 'RUNNING', end_time: null });
    expect(cellValue(running, 'duration', 10_000)).toBe(9000);
    expect(cellValue(r, 'experiment', 0, new Map([['1', 'churn']]))).toBe(
      'churn'
    );
  });

  it('collects keys with system tags last', () => {
    const keys = collectKeys([
      run('a', { z: '1' }, { b: 1 }),
      run('b', { a: '1' }, { a: 1 })
    ]);
    expect(keys.metrics).toEqual(['a', 'b']);
    expect(keys.params).toEqual(['a', 'z']);
    expect(keys.tags).toEqual(['team', 'mlflow.user']);
  });

  it('moves a column to a new place', () => {
    expect(moveColumn(['a', 'b', 'c'], 'c', 0)).toEqual(['c', 'a', 'b']);
    expect(moveColumn(['a', 'b', 'c'], 'a', 9)).toEqual(['b', 'c', 'a']);
  });

  it('formats cells and titles', () => {
    expect(formatCell('metrics.loss', 0.123456)).toBe('0.12346');
    expect(formatCell('duration', 90_000)).toBe('1 min 30 s');
    expect(formatCell('params.lr', null)).toBe('—');
    expect(
      formatCell('start_time', new Date(2026, 0, 2, 3, 4, 5).getTime())
    ).toBe('2026-01-02 03:04:05');
    expect(columnTitle('metrics.loss')).toBe('loss');
    expect(columnTitle('start_time')).toBe('Started');
    expect(isNumericColumn('metrics.loss')).toBe(true);
    expect(isNumericColumn('params.lr')).toBe(false);
  });
});

describe('filter completion', () => {
  const keys = {
    metrics: ['loss', 'val_loss', 'accuracy', 'f1 score'],
    params: ['lr'],
    tags: ['team']
  };

  it('offers the prefixes at the start of a comparison', () => {
    const result = completeFilter('me', 2, keys)!;
    expect(result.options.map(o => o.label)).toEqual(['metrics.']);
    expect(result.from).toBe(0);
    expect(completeFilter('', 0, keys)!.options).toHaveLength(4);
    expect(
      completeFilter('metrics.loss < 1 AND pa', 23, keys)!.options.map(
        o => o.label
      )
    ).toEqual(['params.']);
  });

  it('offers nothing where a key cannot go', () => {
    // After a value an operator or AND/OR comes, and inside a string nothing.
    expect(completeFilter('metrics.loss < 1 ', 17, keys)).toBeNull();
    expect(completeFilter("params.lr = 'me", 15, keys)).toBeNull();
  });

  it('completes keys after a prefix, starting matches first', () => {
    const text = 'metrics.lo';
    const result = completeFilter(text, text.length, keys)!;
    expect(result.options.map(o => o.label)).toEqual(['loss', 'val_loss']);
    expect(result.options[0].detail).toBe('metric');
    expect(applyCompletion(text, result, result.options[1])).toEqual({
      text: 'metrics.val_loss',
      cursor: 16
    });
  });

  it('quotes keys with spaces and accepts aliases and min()', () => {
    const text = 'min(metric.f1';
    const result = completeFilter(text, text.length, keys)!;
    expect(result.options[0].insert).toBe('`f1 score`');
    expect(
      completeFilter('attr.sta', 8, keys)!.options.map(o => o.label)
    ).toEqual(['status', 'start_time', 'lifecycle_stage']);
  });

  it('replaces the whole key when completing in the middle of one', () => {
    const text = 'metrics.loXX < 1';
    const result = completeFilter(text, 10, keys)!;
    expect(result.to).toBe(12);
    expect(applyCompletion(text, result, result.options[0]).text).toBe(
      'metrics.loss < 1'
    );
  });
});

describe('compare logic', () => {
  const runs = [
    run('a', { lr: '0.1', opt: 'adam', seed: '1' }, { loss: 0.3 }),
    run('b', { lr: '0.1', opt: 'sgd', seed: '2' }, { loss: 0.5 }),
    run('c', { lr: '0.01', opt: 'adam' }, { loss: 0.2 })
  ];

  it('diffs params, differing rows first', () => {
    const rows = diffParams(runs.slice(0, 2));
    expect(rows.map(r => [r.key, r.differs])).toEqual([
      ['opt', true],
      ['seed', true],
      ['lr', false]
    ]);
    expect(diffParams(runs, true).map(r => r.key)).toEqual([
      'lr',
      'opt',
      'seed'
    ]);
    expect(diffParams(runs)[2].values).toEqual(['1', '2', null]);
  });

  it('groups runs by a param, missing values together', () => {
    const groups = groupRuns(runs, 'seed');
    expect(groups.map(g => [g.value, g.runs.length])).toEqual([
      ['1', 1],
      ['2', 1],
      [NO_VALUE, 1]
    ]);
    expect(
      groupRuns(runs, 'lr').map(g => g.runs.map(r => r.info.run_name))
    ).toEqual([['a', 'b'], ['c']]);
  });

  it('builds parallel-coordinates rows and scatter points', () => {
    const rows = parallelRows(runs, ['params.lr', 'metrics.loss']);
    expect(rows[0]).toEqual({
      id: runs[0].info.run_id,
      label: 'a',
      values: ['0.1', 0.3]
    });
    const points = scatterPoints(runs, 'params.lr', 'metrics.loss');
    expect(points[2]).toMatchObject({ x: '0.01', y: 0.2, label: 'c' });
  });
});

describe('small helpers', () => {
  it('asks the server for about one point per pixel', () => {
    expect(pointsForWidth(0)).toBe(100);
    expect(pointsForWidth(640)).toBe(700);
    expect(pointsForWidth(100_000)).toBe(5000);
  });

  it('knows which artifacts it can preview', () => {
    expect(previewKind('plots/roc.PNG')).toBe('image');
    expect(previewKind('eval/metrics.json')).toBe('json');
    expect(previewKind('data.tsv')).toBe('csv');
    expect(previewKind('report.html')).toBe('html');
    expect(previewKind('train.ipynb')).toBe('notebook');
    expect(previewKind('model/MLmodel')).toBe('text');
    expect(previewKind('model.pkl')).toBe('none');
    expect(baseName('a/b/c.txt')).toBe('c.txt');
    expect(formatBytes(2048)).toBe('2.0 kB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(stripAnsi('\u001b[31mValueError\u001b[0m')).toBe('ValueError');
  });

  it('names models and sources from artifact paths', () => {
    expect(suggestModelName('model')).toBe('model');
    expect(suggestModelName('artifacts/classifier.pkl')).toBe('classifier');
    expect(runArtifactSource('abc', '/model')).toBe('runs:/abc/model');
  });

  it('finds the source notebook among the tags', () => {
    expect(sourceNotebook({ 'mlflow.source.name': '/work/train.ipynb' })).toBe(
      'work/train.ipynb'
    );
    expect(sourceNotebook({ 'mlflow.source.name': 'train.py' })).toBeNull();
  });

  it('runs tasks with bounded concurrency and reports each result', async () => {
    let running = 0;
    let peak = 0;
    const seen: [number, number | null, boolean][] = [];
    await forEachLimited(
      [1, 2, 3, 4, 5],
      2,
      async n => {
        running++;
        peak = Math.max(peak, running);
        await new Promise(resolve => setTimeout(resolve, 5));
        running--;
        if (n === 3) {
          throw new Error('boom');
        }
        return n * 10;
      },
      (n, result, error) => seen.push([n, result, error !== null])
    );
    expect(peak).toBe(2);
    expect(seen.sort((a, b) => a[0] - b[0])).toEqual([
      [1, 10, false],
      [2, 20, false],
      [3, null, true],
      [4, 40, false],
      [5, 50, false]
    ]);
  });
});
