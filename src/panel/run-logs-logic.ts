import { stripAnsi } from './artifact-kind';

/**
 * Where runs keep their console output, the first that exists is shown: what a
 * script's `start_run` captured, a `%%track` cell's output, a pipeline step's
 * log.
 */
export const LOG_ARTIFACTS = [
  'logs/console.txt',
  'cell/stdout.txt',
  'logs/step.log'
];

/** Where failed runs keep their exception's traceback. */
export const TRACEBACK_ARTIFACTS = [
  'cell/traceback.txt',
  'error/traceback.txt'
];

/** The folders to list to find all of the above. */
export const LOG_FOLDERS = Array.from(
  new Set(
    [...LOG_ARTIFACTS, ...TRACEBACK_ARTIFACTS].map(path =>
      path.slice(0, path.lastIndexOf('/'))
    )
  )
);

/** Logs larger than this are not read into the page (the capture keeps 10 MB). */
export const LOG_READ_LIMIT_BYTES = 16 * 1024 * 1024;

/** How many of the last lines the tab shows first, and adds per "load earlier". */
export const TAIL_LINES = 1000;

/** Polling a running run's log: first and shortest delay, and the longest. */
export const POLL_MIN_MS = 2000;
export const POLL_MAX_MS = 30000;

/**
 * A console log as a terminal shows it: colour codes dropped, and a line that
 * was rewritten with carriage returns (progress bars) shown as it ended.
 */
export function consoleLines(text: string): string[] {
  const lines = stripAnsi(text).replace(/\r\n/g, '\n').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines.map(line => {
    const trimmed = line.replace(/\r+$/, '');
    const last = trimmed.lastIndexOf('\r');
    return last >= 0 ? trimmed.slice(last + 1) : trimmed;
  });
}

/**
 * The delay before the next look at a running run's log: back to the
 * shortest when the log grew, else twice the last, up to the longest.
 */
export function nextPollDelay(previousMs: number, changed: boolean): number {
  if (changed) {
    return POLL_MIN_MS;
  }
  return Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, previousMs * 2));
}

/** The first of `candidates` among the listed files (path to size), or null. */
export function firstListed(
  candidates: readonly string[],
  sizes: ReadonlyMap<string, number>
): { path: string; size: number } | null {
  for (const path of candidates) {
    const size = sizes.get(path);
    if (size !== undefined) {
      return { path, size };
    }
  }
  return null;
}
