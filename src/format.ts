import type { IMetricSummary, IRunInfo, RunStatus } from './api';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * A duration for a narrow column: `420 ms`, `12.3 s`, `4 min 05 s`,
 * `2 h 03 min`, `3 d 4 h`. Negative or unknown durations read `—`.
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) {
    return '—';
  }
  if (ms < SECOND) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < MINUTE) {
    const seconds = ms / SECOND;
    return `${seconds < 10 ? seconds.toFixed(1) : Math.floor(seconds)} s`;
  }
  if (ms < HOUR) {
    const minutes = Math.floor(ms / MINUTE);
    const seconds = Math.floor((ms % MINUTE) / SECOND);
    return `${minutes} min ${pad(seconds)} s`;
  }
  if (ms < DAY) {
    const hours = Math.floor(ms / HOUR);
    const minutes = Math.floor((ms % HOUR) / MINUTE);
    return `${hours} h ${pad(minutes)} min`;
  }
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  return `${days} d ${hours} h`;
}

/**
 * How long a run has taken: up to its end, or up to `now` while it runs.
 */
export function runDuration(
  info: Pick<IRunInfo, 'start_time' | 'end_time'>,
  now: number
): number | null {
  if (!info.start_time) {
    return null;
  }
  return (info.end_time ?? now) - info.start_time;
}

/**
 * When something happened, relative to `now`: `just now`, `5 min ago`,
 * `3 h ago`, `2 d ago`; older than a week, the date.
 */
export function formatRelativeTime(ms: number, now: number): string {
  const age = now - ms;
  if (age < 0 || age < 45 * SECOND) {
    return 'just now';
  }
  if (age < HOUR) {
    return `${Math.max(1, Math.floor(age / MINUTE))} min ago`;
  }
  if (age < DAY) {
    return `${Math.floor(age / HOUR)} h ago`;
  }
  if (age < 7 * DAY) {
    return `${Math.floor(age / DAY)} d ago`;
  }
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * A metric value in at most about five significant digits, keeping integers
 * whole and switching to exponent notation for very large or small values.
 */
export function formatMetricValue(value: number): string {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (value === Infinity) {
    return '∞';
  }
  if (value === -Infinity) {
    return '-∞';
  }
  if (value === 0) {
    return '0';
  }
  const magnitude = Math.abs(value);
  if (Number.isInteger(value) && magnitude < 1e9) {
    return String(value);
  }
  if (magnitude >= 1e6 || magnitude < 1e-4) {
    return trimExponent(value.toExponential(3));
  }
  return trimZeros(value.toPrecision(5));
}

/**
 * The metric keys to show for a run: the ones named in the visible columns
 * (`metrics.<key>`) that the run has, else, when the `metrics` column is on,
 * the first `limit` keys in alphabetical order.
 */
export function pickMetricKeys(
  metrics: Record<string, IMetricSummary>,
  visibleColumns: readonly string[],
  limit = 3
): string[] {
  const named = visibleColumns
    .filter(column => column.startsWith('metrics.'))
    .map(column => column.slice('metrics.'.length))
    .filter(key => key in metrics);
  if (named.length > 0) {
    return named.slice(0, limit);
  }
  if (!visibleColumns.includes('metrics')) {
    return [];
  }
  return Object.keys(metrics).sort().slice(0, limit);
}

/**
 * Whether a run is still going (its duration keeps growing).
 */
export function isActiveStatus(status: RunStatus): boolean {
  return status === 'RUNNING' || status === 'SCHEDULED';
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function trimExponent(text: string): string {
  const [mantissa, exponent] = text.split('e');
  return `${trimZeros(mantissa)}e${exponent.replace('+', '')}`;
}
