import * as React from 'react';

import type { IRun, TrackingApi } from '../api';

/** The most child runs a run page lists. */
export const MAX_CHILD_RUNS = 200;

/** The filter that finds the children of a run. */
export function childRunsFilter(runId: string): string {
  return `attributes.parent_run_id = '${runId}'`;
}

export interface IRunFamily {
  /** The parent run, once read (`null` for a top-level run, or while loading). */
  parent: IRun | null;
  /** The child runs, oldest first (`null` while loading). */
  children: IRun[] | null;
  /** Whether there are more children than listed. */
  more: boolean;
}

/**
 * A run's parent and children, read again when the run's status changes (a
 * running pipeline adds its steps as it goes).
 */
export function useRunFamily(api: TrackingApi, run: IRun): IRunFamily {
  const runId = run.info.run_id;
  const parentId = run.info.parent_run_id ?? null;
  const [family, setFamily] = React.useState<IRunFamily>({
    parent: null,
    children: null,
    more: false
  });
  React.useEffect(() => {
    let cancelled = false;
    const parent = parentId
      ? api.getRun(parentId).catch(() => null)
      : Promise.resolve(null);
    const children = api
      .searchRuns({
        experimentIds: [run.info.experiment_id],
        filter: childRunsFilter(runId),
        orderBy: ['attributes.start_time ASC'],
        maxResults: MAX_CHILD_RUNS
      })
      .catch(() => null);
    void Promise.all([parent, children]).then(([p, page]) => {
      if (!cancelled) {
        setFamily({
          parent: p,
          children: page ? page.items : [],
          more: Boolean(page?.nextPageToken)
        });
      }
    });
    return () => {
      cancelled = true;
    };
  }, [api, runId, parentId, run.info.status]);
  return family;
}
