import * as React from 'react';

import { isApiUnavailable } from '../request';
import { FINAL_RUN_STATES, IPipelineRun, PipelinesApi } from './api';

const RUN_POLL_MS = 1000;

export interface IPipelineRunState {
  /** The run as last read; `null` until read. */
  run: IPipelineRun | null;
  error: string | null;
  /** Cancel the run, or retry it from its failure. */
  act: (action: 'cancel' | 'retry') => Promise<void>;
}

/** A pipeline run, polled until it is over (again after a retry). */
export function usePipelineRun(
  api: PipelinesApi,
  runId: string
): IPipelineRunState {
  const [run, setRun] = React.useState<IPipelineRun | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [generation, setGeneration] = React.useState(0);

  React.useEffect(() => {
    let cancelled = false;
    let timer: number | undefined;
    const poll = async (): Promise<void> => {
      try {
        const current = await api.getRun(runId);
        if (cancelled) {
          return;
        }
        setRun(current);
        setError(null);
        if (!FINAL_RUN_STATES.has(current.state)) {
          timer = window.setTimeout(() => void poll(), RUN_POLL_MS);
        }
      } catch (reason) {
        if (!cancelled) {
          setError(String((reason as Error).message ?? reason));
          if (isApiUnavailable(reason)) {
            return; // asking again cannot help
          }
          timer = window.setTimeout(() => void poll(), RUN_POLL_MS * 3);
        }
      }
    };
    void poll();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [api, runId, generation]);

  const act = async (action: 'cancel' | 'retry'): Promise<void> => {
    try {
      setRun(
        await (action === 'cancel' ? api.cancel(runId) : api.retry(runId))
      );
      setGeneration(g => g + 1);
    } catch (reason) {
      setError(String((reason as Error).message ?? reason));
    }
  };
  return { run, error, act };
}
