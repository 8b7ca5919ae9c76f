import * as React from 'react';

import { isApiUnavailable } from '../request';
import type { IPipelineRun, ISavedPipeline, PipelinesApi } from './api';

const LIST_POLL_MS = 3000;

export interface IPipelinesList {
  pipelines: ISavedPipeline[];
  /** The most recent runs, newest first. */
  runs: IPipelineRun[];
  error: string | null;
  setError: (error: string | null) => void;
  refresh: () => Promise<void>;
}

/**
 * The saved pipelines and the recent runs, polled while shown; no longer once
 * the server said it has no jupyter-mlops API (the error says why).
 */
export function usePipelinesList(api: PipelinesApi): IPipelinesList {
  const [pipelines, setPipelines] = React.useState<ISavedPipeline[]>([]);
  const [runs, setRuns] = React.useState<IPipelineRun[]>([]);
  const [error, setError] = React.useState<string | null>(null);
  const [unavailable, setUnavailable] = React.useState(false);

  const refresh = React.useCallback(async () => {
    try {
      const [p, r] = await Promise.all([api.listPipelines(), api.listRuns(30)]);
      setPipelines(p);
      setRuns(r);
      setError(null);
    } catch (reason) {
      setError(String((reason as Error).message ?? reason));
      if (isApiUnavailable(reason)) {
        setUnavailable(true);
      }
    }
  }, [api]);

  React.useEffect(() => {
    if (unavailable) {
      return;
    }
    void refresh();
    const timer = window.setInterval(() => void refresh(), LIST_POLL_MS);
    return () => window.clearInterval(timer);
  }, [refresh, unavailable]);
  return { pipelines, runs, error, setError, refresh };
}
