import * as React from 'react';

import type { IStepRun, PipelinesApi } from './api';

const LOG_POLL_MS = 1000;

/**
 * A step's log, streamed with the server's `since` cursor while the step
 * runs, and the error of the last read that failed.
 */
export function useStepLog(
  api: PipelinesApi,
  runId: string,
  step: IStepRun
): { log: string; error: string | null } {
  const [log, setLog] = React.useState('');
  const [error, setError] = React.useState<string | null>(null);

  React.useEffect(() => {
    let cancelled = false;
    let since = 0;
    let timer: number | undefined;
    setLog('');
    setError(null);
    const poll = async (): Promise<void> => {
      try {
        const chunk = await api.logs(runId, step.step_id, since);
        if (cancelled) {
          return;
        }
        if (chunk.text) {
          setLog(previous => previous + chunk.text);
        }
        const moved = chunk.next !== since;
        since = chunk.next;
        if (!chunk.complete || moved) {
          timer = window.setTimeout(() => void poll(), moved ? 0 : LOG_POLL_MS);
        }
      } catch (reason) {
        if (!cancelled) {
          setError(String((reason as Error).message ?? reason));
        }
      }
    };
    void poll();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [api, runId, step.step_id, step.attempt]);
  return { log, error };
}
