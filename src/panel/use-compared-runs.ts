import * as React from 'react';

import type { IRun, TrackingApi } from '../api';
import { isActiveStatus } from '../format';
import { describeError, IErrorState } from '../model';
import type { HistoryCache } from './history-cache';
import { useInterval } from './use-signal-state';

export interface IComparedRuns {
  /** The runs, in the order asked for; `null` until loaded. */
  runs: IRun[] | null;
  error: IErrorState | null;
  load: () => Promise<void>;
  /** Bumped after each refresh, so that charts fetch their data again. */
  version: number;
}

/**
 * The runs being compared, re-read every `seconds` while the view is visible
 * and one of them is still running.
 */
export function useComparedRuns(
  api: TrackingApi,
  runIds: string[],
  cache: HistoryCache,
  seconds: number,
  visible: boolean
): IComparedRuns {
  const [runs, setRuns] = React.useState<IRun[] | null>(null);
  const [error, setError] = React.useState<IErrorState | null>(null);
  const [version, setVersion] = React.useState(0);

  const load = React.useCallback(async () => {
    try {
      const loaded = await Promise.all(runIds.map(id => api.getRun(id)));
      setRuns(loaded);
      setError(null);
    } catch (reason) {
      setError(describeError(reason));
    }
  }, [api, runIds.join(',')]);

  React.useEffect(() => {
    void load();
  }, [load]);

  const active = (runs ?? []).some(r => isActiveStatus(r.info.status));
  useInterval(
    () => {
      void load().then(() => {
        runs
          ?.filter(r => isActiveStatus(r.info.status))
          .forEach(r => cache.invalidate(r.info.run_id));
        setVersion(v => v + 1);
      });
    },
    seconds,
    visible && active
  );
  return { runs, error, load, version };
}
