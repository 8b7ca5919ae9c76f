import * as React from 'react';

import type { TrackingApi } from '../api';

/** How many run ids one search asks for (the filter stays short). */
const IDS_PER_SEARCH = 100;

/** The filter that finds the runs of the given ids. */
export function runIdsFilter(runIds: readonly string[]): string {
  return `attributes.run_id IN (${runIds.map(id => `'${id}'`).join(', ')})`;
}

/**
 * The names of the given runs (deleted ones too), by run id; a run not found
 * (or not yet read) is missing from the map.
 */
export function useRunNames(
  api: TrackingApi,
  runIds: readonly (string | null | undefined)[]
): ReadonlyMap<string, string> {
  const wanted = Array.from(
    new Set(runIds.filter((id): id is string => Boolean(id)))
  ).sort();
  const key = wanted.join(',');
  const [names, setNames] = React.useState<ReadonlyMap<string, string>>(
    new Map()
  );
  React.useEffect(() => {
    if (wanted.length === 0) {
      setNames(new Map());
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
        const found = new Map<string, string>();
        for (const run of pages.flat()) {
          if (run.info.run_name) {
            found.set(run.info.run_id, run.info.run_name);
          }
        }
        setNames(found);
      }
    });
    return () => {
      cancelled = true;
    };
  }, [api, key]);
  return names;
}
