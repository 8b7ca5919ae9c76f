/**
 * Pure logic of the notebook widgets: merging points pushed by the kernel,
 * building chart series, sorting runs, and the compare view's plot data.
 */
import type { IChartSeries, IParallelRow, XAxisKind } from '../charts/types';

/** One series as the kernel sends it (a whole series or only new points). */
export interface IWireSeries {
  run_id: string;
  key: string;
  label: string;
  step: number[];
  time: number[];
  value: (number | null)[];
  min?: (number | null)[] | null;
  max?: (number | null)[] | null;
}

/** The points of a live chart, by `run_id` and key. */
export type SeriesStore = Map<string, IWireSeries>;

export function seriesId(series: { run_id: string; key: string }): string {
  return `${series.run_id}\u0000${series.key}`;
}

/**
 * Adds the kernel's message to `store`: a `snapshot` replaces everything, a
 * `points` message appends new points (and takes the newest label). Returns a
 * new map so that React sees the change; untouched series keep their identity.
 */
export function mergePoints(
  store: SeriesStore,
  kind: 'snapshot' | 'points',
  series: IWireSeries[]
): SeriesStore {
  const next: SeriesStore = kind === 'snapshot' ? new Map() : new Map(store);
  for (const incoming of series) {
    const id = seriesId(incoming);
    const current = kind === 'snapshot' ? undefined : next.get(id);
    if (!current) {
      next.set(id, {
        ...incoming,
        step: incoming.step.slice(),
        time: incoming.time.slice(),
        value: incoming.value.slice()
      });
      continue;
    }
    next.set(id, {
      ...current,
      label: incoming.label,
      step: current.step.concat(incoming.step),
      time: current.time.concat(incoming.time),
      value: current.value.concat(incoming.value)
    });
  }
  return next;
}

/** Every point of the store. */
export function countPoints(store: SeriesStore): number {
  let total = 0;
  store.forEach(series => {
    total += series.value.length;
  });
  return total;
}

/** One chart per metric key (keys in first-seen order), one line per run. */
export function chartsByKey(
  series: Iterable<IWireSeries>,
  xAxis: XAxisKind
): { key: string; series: IChartSeries[] }[] {
  const byKey = new Map<string, IChartSeries[]>();
  for (const s of series) {
    const line: IChartSeries = {
      label: s.label,
      x: xAxis === 'step' ? s.step : s.time,
      y: s.value
    };
    if (s.min && s.max) {
      line.min = s.min;
      line.max = s.max;
    }
    const list = byKey.get(s.key);
    if (list) {
      list.push(line);
    } else {
      byKey.set(s.key, [line]);
    }
  }
  return Array.from(byKey, ([key, lines]) => ({ key, series: lines }));
}

/** A run as the kernel sends it to the table and the comparison. */
export interface IRunRow {
  run_id: string;
  name: string;
  experiment_id: string;
  status: string;
  start_time: number | null;
  end_time: number | null;
  params: Record<string, string>;
  metrics: Record<string, number | null>;
}

/** A sortable column: a run attribute, `params.<key>` or `metrics.<key>`. */
export interface ISort {
  column: string;
  descending: boolean;
}

export function cellValue(
  row: IRunRow,
  column: string
): string | number | null {
  if (column.startsWith('params.')) {
    return row.params[column.slice(7)] ?? null;
  }
  if (column.startsWith('metrics.')) {
    return row.metrics[column.slice(8)] ?? null;
  }
  switch (column) {
    case 'name':
      return row.name;
    case 'status':
      return row.status;
    case 'start_time':
      return row.start_time;
    default:
      return null;
  }
}

/**
 * Sorted copy of `rows`: numbers numerically (params that parse as numbers
 * too), text naturally; missing values last whatever the direction.
 */
export function sortRows(rows: readonly IRunRow[], sort: ISort): IRunRow[] {
  const sign = sort.descending ? -1 : 1;
  const keyed = rows.map(row => ({
    row,
    value: sortable(cellValue(row, sort.column))
  }));
  keyed.sort((a, b) => {
    if (a.value === null || b.value === null) {
      return a.value === null ? (b.value === null ? 0 : 1) : -1;
    }
    if (typeof a.value === 'number' && typeof b.value === 'number') {
      return sign * (a.value - b.value);
    }
    return (
      sign *
      String(a.value).localeCompare(String(b.value), undefined, {
        numeric: true
      })
    );
  });
  return keyed.map(k => k.row);
}

function sortable(value: string | number | null): string | number | null {
  if (value === null || typeof value === 'number') {
    return value !== null && Number.isNaN(value) ? null : value;
  }
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : value;
}

/** A param row of the comparison, as the kernel sends it. */
export interface IParamRow {
  key: string;
  values: (string | null)[];
  differs: boolean;
}

/**
 * Parallel-coordinates data: the params that differ (all of them when none
 * does), then the chosen metric as the last axis; numeric-looking params as
 * numbers so that their axis is continuous.
 */
export function parallelData(
  runs: readonly IRunRow[],
  params: readonly IParamRow[],
  metric: string
): { dimensions: string[]; rows: IParallelRow[] } {
  const differing = params.filter(p => p.differs);
  const chosen = (differing.length > 0 ? differing : params).map(p => p.key);
  const numeric = new Set(
    chosen.filter(key =>
      runs.every(run => {
        const v = run.params[key];
        return (
          v === undefined || (v.trim() !== '' && Number.isFinite(Number(v)))
        );
      })
    )
  );
  const dimensions = metric ? [...chosen, metric] : chosen;
  const rows = runs.map(run => ({
    id: run.run_id,
    label: run.name,
    values: [
      ...chosen.map(key => {
        const v = run.params[key];
        if (v === undefined) {
          return null;
        }
        return numeric.has(key) ? Number(v) : v;
      }),
      ...(metric ? [run.metrics[metric] ?? null] : [])
    ]
  }));
  return { dimensions, rows };
}
