import * as React from 'react';

import type { IRun, TrackingApi } from '../api';
import { describeError, IErrorState } from '../model';
import { HistoryCache, pointsForWidth } from './history-cache';

/** Charts whose data the run view fetches before the Metrics tab opens. */
const PREFETCH_CHARTS = 6;

export interface IRunState {
  run: IRun | null;
  experimentName: string | null;
  error: IErrorState | null;
  setError: (error: IErrorState | null) => void;
  /** Re-read the run; resolves to it, or to `null` after an error. */
  load: () => Promise<IRun | null>;
  /** Write to the server (tags, notes), then re-read the run. */
  write: (action: () => Promise<void>) => Promise<void>;
}

/**
 * A run read from the server (with its experiment's name), and the data of
 * its first charts fetched ahead into the cache.
 */
export function useRun(
  api: TrackingApi,
  runId: string,
  cache: HistoryCache,
  onName?: (name: string) => void
): IRunState {
  const [run, setRun] = React.useState<IRun | null>(null);
  const [experimentName, setExperimentName] = React.useState<string | null>(
    null
  );
  const [error, setError] = React.useState<IErrorState | null>(null);

  const load = React.useCallback(async () => {
    try {
      const loaded = await api.getRun(runId);
      setRun(loaded);
      if (loaded.info.run_name) {
        onName?.(loaded.info.run_name);
      }
      setError(null);
      return loaded;
    } catch (reason) {
      setError(describeError(reason));
      return null;
    }
  }, [api, runId]);

  React.useEffect(() => {
    void load().then(loaded => {
      if (loaded) {
        // Fetch the first charts' data while the user reads the overview, at
        // the resolution of a chart as wide as the window (a narrower chart
        // reuses it), so the Metrics tab draws without waiting for the server.
        const points = pointsForWidth(window.innerWidth);
        Object.keys(loaded.metrics)
          .sort()
          .slice(0, PREFETCH_CHARTS)
          .forEach(key => {
            cache.get(runId, key, points).catch(() => undefined);
          });
        api
          .getExperiment(loaded.info.experiment_id)
          .then(e => setExperimentName(e.name))
          .catch(() => undefined);
      }
    });
  }, [load]);

  const write = async (action: () => Promise<void>) => {
    try {
      await action();
      await load();
    } catch (reason) {
      setError(describeError(reason));
      throw reason;
    }
  };

  return { run, experimentName, error, setError, load, write };
}
