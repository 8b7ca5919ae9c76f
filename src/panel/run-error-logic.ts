import type { IRun } from '../api';
import { stripAnsi } from './artifact-kind';

/** The one-line exception `%%track` tags a failed cell's run with. */
export const CELL_ERROR_TAG = 'mlops.cell.error';
/** The one-line exception a failed `with start_run():` block tags its run with. */
export const RUN_ERROR_TAG = 'mlops.error';

/**
 * Where failed runs keep their error, most telling first: the traceback
 * `%%track` writes, then a pipeline step's captured stdout and stderr.
 */
export const ERROR_ARTIFACTS = [
  'cell/traceback.txt',
  'error/traceback.txt',
  'logs/step.log'
];

/** How much of a log the overview shows when it holds no traceback. */
const LOG_TAIL_LINES = 30;

/** Whether a run's overview should show an error section. */
export function hasErrorSection(run: IRun): boolean {
  return run.info.status === 'FAILED' || Boolean(errorSummary(run));
}

/** The one-line error a run was tagged with, or `null`. */
export function errorSummary(run: IRun): string | null {
  return run.tags[CELL_ERROR_TAG] || run.tags[RUN_ERROR_TAG] || null;
}

/**
 * The part of a captured log that tells why the run failed: the last Python
 * traceback to the end of the log, or else the log's last lines.
 */
export function errorExcerpt(log: string): string {
  const text = stripAnsi(log).replace(/\s+$/, '');
  const start = text.lastIndexOf('Traceback (most recent call last):');
  if (start >= 0) {
    return text.slice(start);
  }
  return text.split('\n').slice(-LOG_TAIL_LINES).join('\n');
}
