import { ServerConnection } from '@jupyterlab/services';
import * as React from 'react';

import type { IRun, TrackingApi } from '../api';
import { isActiveStatus } from '../format';
import { describeError, type IErrorState } from '../model';
import {
  firstListed,
  LOG_ARTIFACTS,
  LOG_FOLDERS,
  LOG_READ_LIMIT_BYTES,
  nextPollDelay,
  POLL_MAX_MS,
  POLL_MIN_MS,
  TRACEBACK_ARTIFACTS
} from './run-logs-logic';

/** A log file of the run; `text` is null when it is too large to read here. */
export interface IRunLogFile {
  path: string;
  size: number;
  text: string | null;
}

export interface IRunLogs {
  /** The run's console output (the first of `LOG_ARTIFACTS` that exists). */
  log: IRunLogFile | null;
  /** The traceback of its exception (the first of `TRACEBACK_ARTIFACTS`). */
  traceback: IRunLogFile | null;
  /** Before the first answer. */
  loading: boolean;
  error: IErrorState | null;
  /** The run is running and its log is looked at again and again. */
  following: boolean;
  /** Look again now (after an error). */
  reload: () => void;
}

interface ILoaded {
  runId: string;
  log: IRunLogFile | null;
  traceback: IRunLogFile | null;
}

/**
 * A run's console output and traceback, read while `visible`. While the run
 * is active the listing is read again, every 2 s while the log grows and less
 * often while it does not (up to 30 s); a file is fetched again only when its
 * size changed. A 404 (the run is gone) stops the polling.
 */
export function useRunLogs(
  api: TrackingApi,
  run: IRun,
  visible: boolean
): IRunLogs {
  const runId = run.info.run_id;
  const active = isActiveStatus(run.info.status);
  const [state, setState] = React.useState<Omit<IRunLogs, 'reload'>>({
    log: null,
    traceback: null,
    loading: true,
    error: null,
    following: active
  });
  const [attempt, setAttempt] = React.useState(0);
  const loaded = React.useRef<ILoaded>({ runId, log: null, traceback: null });

  React.useEffect(() => {
    if (loaded.current.runId !== runId) {
      loaded.current = { runId, log: null, traceback: null };
      setState(s => ({ ...s, log: null, traceback: null, loading: true }));
    }
    if (!visible) {
      return; // read again when shown
    }
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = POLL_MIN_MS;

    const read = async (
      found: { path: string; size: number } | null,
      previous: IRunLogFile | null
    ): Promise<IRunLogFile | null> => {
      if (found === null) {
        return null;
      }
      if (previous?.path === found.path && previous.size === found.size) {
        return previous;
      }
      if (found.size > LOG_READ_LIMIT_BYTES) {
        return { ...found, text: null };
      }
      const blob = await api.fetchArtifact(runId, found.path);
      return { ...found, text: await blob.text() };
    };

    const load = async (): Promise<boolean> => {
      const listings = await Promise.all(
        LOG_FOLDERS.map(folder => api.listArtifacts(runId, folder))
      );
      const sizes = new Map<string, number>();
      for (const file of listings.flat()) {
        if (!file.is_dir) {
          sizes.set(file.path, file.file_size ?? 0);
        }
      }
      const before = loaded.current;
      const log = await read(firstListed(LOG_ARTIFACTS, sizes), before.log);
      const traceback = await read(
        firstListed(TRACEBACK_ARTIFACTS, sizes),
        before.traceback
      );
      if (cancelled) {
        return false;
      }
      loaded.current = { runId, log, traceback };
      setState({
        log,
        traceback,
        loading: false,
        error: null,
        following: active
      });
      return log !== before.log || traceback !== before.traceback;
    };

    const tick = async (): Promise<void> => {
      try {
        delay = nextPollDelay(delay, await load());
      } catch (reason) {
        if (cancelled) {
          return;
        }
        const gone =
          reason instanceof ServerConnection.ResponseError &&
          reason.response.status === 404;
        setState(s => ({
          ...s,
          loading: false,
          error: describeError(reason),
          following: active && !gone
        }));
        if (gone) {
          return;
        }
        delay = Math.min(POLL_MAX_MS, delay * 2);
      }
      if (active && !cancelled) {
        timer = setTimeout(() => void tick(), delay);
      }
    };

    void tick();
    return () => {
      cancelled = true;
      if (timer !== undefined) {
        clearTimeout(timer);
      }
    };
  }, [api, runId, active, run.info.end_time, visible, attempt]);

  const reload = React.useCallback(() => setAttempt(a => a + 1), []);
  return { ...state, reload };
}
