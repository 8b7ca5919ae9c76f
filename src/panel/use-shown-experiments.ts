import * as React from 'react';

import type { TrackingApi } from '../api';
import { describeError, IErrorState } from '../model';

/**
 * The experiments whose runs are shown: `initial` where given, else the
 * default experiment setting (by name or id), else the first experiment.
 */
export function useShownExperiments(
  api: TrackingApi,
  initial: string[] | undefined,
  defaultExperiment: string,
  onError: (error: IErrorState) => void
): [string[] | null, (experimentIds: string[]) => void] {
  const [experimentIds, setExperimentIds] = React.useState<string[] | null>(
    initial ?? null
  );
  React.useEffect(() => {
    if (experimentIds !== null) {
      return;
    }
    const wanted = defaultExperiment;
    const find = wanted
      ? api
          .getExperimentByName(wanted)
          .then(e => e ?? api.getExperiment(wanted).catch(() => null))
      : Promise.resolve(null);
    find
      .then(async found => {
        if (found) {
          return found.experiment_id;
        }
        const page = await api.listExperiments({ maxResults: 1 });
        return page.items[0]?.experiment_id ?? '0';
      })
      .then(id => setExperimentIds([id]))
      .catch(reason => onError(describeError(reason)));
  }, [experimentIds]);
  return [experimentIds, setExperimentIds];
}
