import * as React from 'react';

import type { TrackingApi } from '../api';

/**
 * Every experiment's name by id (deleted ones too), for the experiment
 * column across experiments; read again when `experimentIds` change.
 */
export function useExperimentNames(
  api: TrackingApi,
  experimentIds: string[] | null
): Map<string, string> {
  const [names, setNames] = React.useState<Map<string, string>>(new Map());
  React.useEffect(() => {
    api
      .listExperiments({ view: 'ALL', maxResults: 1000 })
      .then(page =>
        setNames(new Map(page.items.map(e => [e.experiment_id, e.name])))
      )
      .catch(() => undefined);
  }, [api, experimentIds]);
  return names;
}
