import * as React from 'react';

import type { IRun, TrackingApi } from '../api';

/** How many run ids one search asks for (the filter stays short). */
const IDS_PER_SEARCH = 100;

/** The filter that finds the runs of the given ids. */
export function runIdsFilter(runIds: readonly string[]): string {
  return `attributes.run_id IN (${runIds.map(id => `'${id}'`).join(', ')})`;
}

/**
 * The given runs (deleted ones too), by run id, read in searches of up to
 * 100 ids; a run not found (or not yet read) is missing from the map.
 */
export function useRunsById(
  api: TrackingApi,
  runIds: readonly (string | null | undefined)[]
): ReadonlyMap<string, IRun> {
  const wanted = Array.from(
    new Set(runIds.filter((id): id is string => Boolean(id)))
  ).sort();
  const key = wanted.join(',');
  const [runs, setRuns] = React.useState<ReadonlyMap<string, IRun>>(new Map());
  React.useEffect(() => {
    if (wanted.length === 0) {
      setRuns(new Map());
      return;
    }
    let cancelled = false;
    const chunks: string[][] = [];
    for (let i = 0; i < wanted.length; i += IDS_PER_SEARCH) {
      chunks.push(wanted.slice(i, i + IDS_PER_SEARCH));
    }
    void Promise.all(
      chunks.map(ids =>
        api
          .searchRuns({
            filter: runIdsFilter(ids),
            view: 'ALL',
            maxResults: ids.length
          })
          .then(page => page.items)
          .catch(() => [])
      )
    ).then(pages => {
      if (!cancelled) {
        setRuns(new Map(pages.flat().map(run => [run.info.run_id, run])));
      }
    });
    return () => {
      cancelled = true;
    };
  }, [api, key]);
  return runs;
}

/**
 * The names of the given runs (deleted ones too), by run id; a run not found
 * (or not yet read) is missing from the map.
 */
export function useRunNames(
  api: TrackingApi,
  runIds: readonly (string | null | undefined)[]
): ReadonlyMap<string, string> {
  const runs = useRunsById(api, runIds);
  return React.useMemo(() => {
    const names = new Map<string, string>();
    for (const [id, run] of runs) {
      if (run.info.run_name) {
        names.set(id, run.info.run_name);
      }
    }
    return names;
  }, [runs]);
}
