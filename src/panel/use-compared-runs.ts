import * as React from 'react';

import type { IRun, TrackingApi } from '../api';
import { isActiveStatus } from '../format';
import { describeError, IErrorState } from '../model';
import { metricKeysOf } from './compare-logic';
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
  const first = React.useRef(true);

  const load = React.useCallback(async () => {
    try {
      const loaded = await loadRuns(api, runIds);
      if (first.current) {
        first.current = false;
        prefetchHistories(cache, loaded);
      }
      setRuns(loaded);
      setError(null);
    } catch (reason) {
      setError(describeError(reason));
    }
  }, [api, cache, runIds.join(',')]);

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

/** Run ids per search: the filter stays well under the server's 10,000 characters. */
const IDS_PER_SEARCH = 200;

/**
 * The runs, in the order of `runIds`: one search per 200 ids rather than a
 * request per run (100 runs: one request instead of 100, which the browser
 * would send six at a time). A run the search misses is asked for by id, so
 * that a deleted or unknown run fails with the server's own message.
 */
export async function loadRuns(
  api: TrackingApi,
  runIds: readonly string[]
): Promise<IRun[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < runIds.length; i += IDS_PER_SEARCH) {
    chunks.push(runIds.slice(i, i + IDS_PER_SEARCH));
  }
  const pages = await Promise.all(
    chunks.map(ids =>
      api.searchRuns({
        filter: runIdFilter(ids),
        view: 'ALL',
        maxResults: ids.length
      })
    )
  );
  const byId = new Map<string, IRun>();
  pages.forEach(page => page.items.forEach(r => byId.set(r.info.run_id, r)));
  return Promise.all(
    runIds.map(id => {
      const run = byId.get(id);
      return run ? Promise.resolve(run) : api.getRun(id);
    })
  );
}

/** `attributes.run_id IN (...)` over run ids (hexadecimal: nothing to escape). */
export function runIdFilter(runIds: readonly string[]): string {
  return `attributes.run_id IN (${runIds.map(id => `'${id}'`).join(', ')})`;
}

/** How many charts' histories load with the runs, and at what resolution. */
const PREFETCH_CHARTS = 3;
const PREFETCH_POINTS = 1000;

/**
 * Start loading the first charts' histories as soon as the runs are known,
 * before the view has rendered and its charts have measured their widths (a
 * history at a somewhat higher resolution serves a chart; see HistoryCache).
 */
function prefetchHistories(cache: HistoryCache, runs: readonly IRun[]): void {
  for (const key of metricKeysOf(runs).slice(0, PREFETCH_CHARTS)) {
    const ids = runs.filter(r => key in r.metrics).map(r => r.info.run_id);
    // A failure is not remembered: the chart asks again and shows it.
    cache
      .getMany(ids, key, PREFETCH_POINTS)
      .forEach(history => history.catch(() => undefined));
  }
}
