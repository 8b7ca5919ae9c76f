import { formatDuration, formatMetricValue } from '../format';
import type { CellValue } from './columns';
import { parseColumnId } from './columns';

/** A column's header text: the key for metrics, params and tags. */
export function columnTitle(id: string): string {
  if (id === 'run_name') {
    return 'Run';
  }
  const column = parseColumnId(id);
  if (!column) {
    return id;
  }
  if (column.kind !== 'attribute') {
    return column.key;
  }
  switch (column.key) {
    case 'start_time':
      return 'Started';
    case 'end_time':
      return 'Ended';
    case 'run_id':
      return 'Run id';
    default:
      return column.key.charAt(0).toUpperCase() + column.key.slice(1);
  }
}

/** Whether a column's values are numbers (right-aligned). */
export function isNumericColumn(id: string): boolean {
  const column = parseColumnId(id);
  return (
    column !== null &&
    (column.kind === 'metric' ||
      (column.kind === 'attribute' &&
        ['start_time', 'end_time', 'duration'].includes(column.key)))
  );
}

/** A cell's text. */
export function formatCell(id: string, value: CellValue): string {
  if (value === null || value === undefined) {
    return '—';
  }
  const column = parseColumnId(id);
  if (column?.kind === 'metric' && typeof value === 'number') {
    return formatMetricValue(value);
  }
  if (column?.kind === 'attribute' && typeof value === 'number') {
    if (column.key === 'duration') {
      return formatDuration(value);
    }
    return formatTimestamp(value);
  }
  return String(value);
}

/** `2026-11-23 14:05:09` in local time: sortable, unambiguous, compact. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}
