import * as React from 'react';

import type { IExperiment, TrackingApi } from '../api';
import { describeError, IErrorState } from '../model';
import { forEachLimited } from './concurrency';

/** Run counts and last activity are fetched for at most this many experiments. */
const STATS_LIMIT = 200;
const STATS_CONCURRENCY = 4;

export interface IExperimentStats {
  runs: number;
  /** Start of the newest run, or the experiment's last update. */
  lastActivity: number;
}

export interface IExperimentsState {
  /** The experiments; `null` until loaded. */
  experiments: IExperiment[] | null;
  /** Whether there are more than were listed. */
  more: boolean;
  stats: Map<string, IExperimentStats>;
  error: IErrorState | null;
  setError: (error: IErrorState | null) => void;
  /** Read the list (and the stats) again. */
  reload: () => void;
}

/**
 * The active (or the deleted) experiments, then each one's run count and
 * last activity, a few at a time; read again when `refreshKey` changes.
 */
export function useExperiments(
  api: TrackingApi,
  showDeleted: boolean,
  refreshKey: string
): IExperimentsState {
  const [experiments, setExperiments] = React.useState<IExperiment[] | null>(
    null
  );
  const [more, setMore] = React.useState(false);
  const [stats, setStats] = React.useState<Map<string, IExperimentStats>>(
    new Map()
  );
  const [error, setError] = React.useState<IErrorState | null>(null);
  const [reloads, setReloads] = React.useState(0);
  const reload = () => setReloads(n => n + 1);

  React.useEffect(() => {
    let cancelled = false;
    api
      .listExperiments({
        view: showDeleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY',
        maxResults: 1000
      })
      .then(page => {
        if (cancelled) {
          return;
        }
        setExperiments(page.items);
        setMore(page.nextPageToken !== null);
        setError(null);
        const fresh = new Map<string, IExperimentStats>();
        void forEachLimited(
          page.items.slice(0, STATS_LIMIT),
          STATS_CONCURRENCY,
          async experiment => {
            const ids = [experiment.experiment_id];
            const view = showDeleted ? 'ALL' : 'ACTIVE_ONLY';
            const [count, newest] = await Promise.all([
              api.countRuns({ experimentIds: ids, view }),
              api.searchRuns({ experimentIds: ids, maxResults: 1, view })
            ]);
            return {
              runs: count,
              lastActivity: Math.max(
                experiment.last_update_time,
                newest.items[0]?.info.end_time ?? 0,
                newest.items[0]?.info.start_time ?? 0
              )
            };
          },
          (experiment, result) => {
            if (!cancelled && result) {
              fresh.set(experiment.experiment_id, result);
              setStats(new Map(fresh));
            }
          }
        );
      })
      .catch(reason => {
        if (!cancelled) {
          setError(describeError(reason));
        }
      });
    return () => {
      cancelled = true;
    };
  }, [api, showDeleted, reloads, refreshKey]);

  return { experiments, more, stats, error, setError, reload };
}
