/**
 * Columns of the runs table: ids as stored in the settings, the value a run
 * shows in each, and the server's `order_by` for each sortable column.
 */
import type { IRun } from '../api';
import { runDuration } from '../format';

/** Attribute columns, in the order the column picker lists them. */
export const ATTRIBUTE_COLUMNS = [
  'status',
  'start_time',
  'duration',
  'end_time',
  'user',
  'experiment',
  'run_id'
] as const;

export type AttributeColumn = (typeof ATTRIBUTE_COLUMNS)[number];

export type ColumnKind = 'attribute' | 'metric' | 'param' | 'tag';

export interface IColumnId {
  kind: ColumnKind;
  /** The attribute name, or the metric / param / tag key. */
  key: string;
}

/** How many metrics the `metrics` shorthand in the settings expands to. */
export const METRICS_SHORTHAND_LIMIT = 4;
/** How many params the `params` shorthand in the settings expands to. */
export const PARAMS_SHORTHAND_LIMIT = 6;

/**
 * Parse a column id (`status`, `metrics.loss`, `params.lr`, `tags.team`);
 * `null` for anything else.
 */
export function parseColumnId(id: string): IColumnId | null {
  for (const [prefix, kind] of [
    ['metrics.', 'metric'],
    ['params.', 'param'],
    ['tags.', 'tag']
  ] as const) {
    if (id.startsWith(prefix) && id.length > prefix.length) {
      return { kind, key: id.slice(prefix.length) };
    }
  }
  if ((ATTRIBUTE_COLUMNS as readonly string[]).includes(id)) {
    return { kind: 'attribute', key: id };
  }
  return null;
}

/** The id of a metric, param or tag column. */
export function columnId(kind: Exclude<ColumnKind, 'attribute'>, key: string) {
  return `${kind === 'metric' ? 'metrics' : kind === 'param' ? 'params' : 'tags'}.${key}`;
}

/**
 * The columns to show, from the settings' list: unknown ids dropped, the
 * `metrics` and `params` shorthands expanded to the first keys of the runs
 * not listed already, duplicates removed, order kept.
 */
export function resolveColumns(
  configured: readonly string[],
  metricKeys: readonly string[],
  paramKeys: readonly string[] = []
): string[] {
  const out: string[] = [];
  const add = (id: string) => {
    if (!out.includes(id)) {
      out.push(id);
    }
  };
  const expand = (prefix: string, keys: readonly string[], limit: number) => {
    const named = new Set(configured.filter(c => c.startsWith(prefix)));
    keys
      .filter(key => !named.has(`${prefix}${key}`))
      .slice(0, limit)
      .forEach(key => add(`${prefix}${key}`));
  };
  for (const id of configured) {
    if (id === 'metrics') {
      expand('metrics.', metricKeys, METRICS_SHORTHAND_LIMIT);
    } else if (id === 'params') {
      expand('params.', paramKeys, PARAMS_SHORTHAND_LIMIT);
    } else if (parseColumnId(id)) {
      add(id);
    }
  }
  return out;
}

/**
 * A key as the search language wants it after `metrics.`: bare when it only
 * holds the characters the parser accepts unquoted, else in backticks (or
 * double quotes when it holds a backtick).
 */
export function quoteKey(key: string): string {
  if (/^[A-Za-z_][\w./:-]*$/.test(key)) {
    return key;
  }
  return key.includes('`') ? `"${key.replace(/"/g, '\\"')}"` : `\`${key}\``;
}

const ATTRIBUTE_ORDER: Partial<Record<AttributeColumn, string>> = {
  status: 'attributes.status',
  start_time: 'attributes.start_time',
  end_time: 'attributes.end_time',
  user: 'attributes.user',
  experiment: 'attributes.experiment_id',
  run_id: 'attributes.run_id'
};

/**
 * The server's `order_by` clause for sorting by a column, or `null` when the
 * server cannot sort by it (duration is computed here).
 */
export function orderByFor(id: string, descending: boolean): string | null {
  const direction = descending ? 'DESC' : 'ASC';
  if (id === 'run_name') {
    return `attributes.run_name ${direction}`;
  }
  const column = parseColumnId(id);
  if (!column) {
    return null;
  }
  if (column.kind === 'attribute') {
    const attribute = ATTRIBUTE_ORDER[column.key as AttributeColumn];
    return attribute ? `${attribute} ${direction}` : null;
  }
  const prefix =
    column.kind === 'metric'
      ? 'metrics'
      : column.kind === 'param'
        ? 'params'
        : 'tags';
  return `${prefix}.${quoteKey(column.key)} ${direction}`;
}

/** What a cell holds: a number sorts and aligns right, text left. */
export type CellValue = number | string | null;

/**
 * A run's value in a column. Times are ms since the epoch; duration is ms,
 * measured up to `now` while the run is still going.
 */
export function cellValue(
  run: IRun,
  id: string,
  now: number,
  experimentNames?: ReadonlyMap<string, string>
): CellValue {
  if (id === 'run_name') {
    return run.info.run_name || run.info.run_id;
  }
  const column = parseColumnId(id);
  if (!column) {
    return null;
  }
  switch (column.kind) {
    case 'metric': {
      const metric = run.metrics[column.key];
      return metric ? metric.value : null;
    }
    case 'param':
      return run.params[column.key] ?? null;
    case 'tag':
      return run.tags[column.key] ?? null;
  }
  const info = run.info;
  switch (column.key as AttributeColumn) {
    case 'status':
      return info.status;
    case 'start_time':
      return info.start_time;
    case 'end_time':
      return info.end_time;
    case 'duration':
      return runDuration(info, now);
    case 'user':
      return info.user;
    case 'experiment':
      return experimentNames?.get(info.experiment_id) ?? info.experiment_id;
    case 'run_id':
      return info.run_id;
  }
  return null;
}

/**
 * The metric, param and tag keys over some runs, each sorted. Tags the
 * system sets (`mlflow.*`, `mlops.*`) come last, since people rarely want
 * them as columns.
 */
export function collectKeys(runs: readonly IRun[]): {
  metrics: string[];
  params: string[];
  tags: string[];
} {
  const metrics = new Set<string>();
  const params = new Set<string>();
  const tags = new Set<string>();
  for (const run of runs) {
    Object.keys(run.metrics).forEach(k => metrics.add(k));
    Object.keys(run.params).forEach(k => params.add(k));
    Object.keys(run.tags).forEach(k => tags.add(k));
  }
  const system = (k: string) => /^(mlflow|mlops)\./.test(k);
  const byName = (a: string, b: string) => a.localeCompare(b);
  return {
    metrics: [...metrics].sort(byName),
    params: [...params].sort(byName),
    tags: [...tags].sort(
      (a, b) => Number(system(a)) - Number(system(b)) || byName(a, b)
    )
  };
}

/** Move `id` to `index` in a column list (for reordering). */
export function moveColumn(
  columns: readonly string[],
  id: string,
  index: number
): string[] {
  const rest = columns.filter(c => c !== id);
  const at = Math.max(0, Math.min(index, rest.length));
  return [...rest.slice(0, at), id, ...rest.slice(at)];
}
