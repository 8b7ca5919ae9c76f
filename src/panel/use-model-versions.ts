import * as React from 'react';

import { describeError, IErrorState } from '../model';
import type {
  IModelVersion,
  IRegisteredModel,
  RegistryApi
} from './registry-api';

export interface IModelWithVersions {
  model: IRegisteredModel | null;
  /** Newest first. */
  versions: IModelVersion[];
}

/**
 * The selected registered model and its versions, read again whenever
 * `reloads` changes.
 */
export function useModelVersions(
  registry: RegistryApi,
  selected: string | null,
  reloads: number,
  setError: (error: IErrorState | null) => void
): IModelWithVersions {
  const [model, setModel] = React.useState<IRegisteredModel | null>(null);
  const [versions, setVersions] = React.useState<IModelVersion[]>([]);
  React.useEffect(() => {
    if (!selected) {
      setModel(null);
      setVersions([]);
      return;
    }
    Promise.all([
      registry.getModel(selected),
      registry.listVersions(selected, { maxResults: 1000 })
    ])
      .then(([m, page]) => {
        setModel(m);
        setVersions(
          [...page.items].sort((a, b) => Number(b.version) - Number(a.version))
        );
      })
      .catch(reason => setError(describeError(reason)));
  }, [registry, selected, reloads]);
  return { model, versions };
}
