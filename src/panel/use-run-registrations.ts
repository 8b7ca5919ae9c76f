import * as React from 'react';

import type { IRun } from '../api';
import type { IModelVersion, RegistryApi } from './registry-api';
import { registrationsByModel, runModelIds } from './run-inputs';

/**
 * The registered versions of the logged models the run used or produced, for
 * links to the registry; looked up again only when that set of models changes.
 */
export function useRunRegistrations(
  registry: RegistryApi,
  run: IRun | null
): Record<string, IModelVersion[]> {
  const [registrations, setRegistrations] = React.useState<
    Record<string, IModelVersion[]>
  >({});
  const modelIds = run ? runModelIds(run).join(',') : '';
  React.useEffect(() => {
    if (!modelIds) {
      setRegistrations({});
      return;
    }
    const quoted = modelIds
      .split(',')
      .map(id => `'${id}'`)
      .join(', ');
    let current = true;
    registry
      .searchVersions({ filter: `model_id IN (${quoted})`, maxResults: 1000 })
      .then(page => {
        if (current) {
          setRegistrations(registrationsByModel(page.items));
        }
      })
      // Only the links are missing then; the models are still listed.
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [registry, modelIds]);
  return registrations;
}
