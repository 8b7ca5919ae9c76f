import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { describeError, IErrorState } from '../model';
import { registerModelFromRun } from './register-model';
import type { RegistryApi } from './registry-api';

export interface IModelRegistration {
  /** What the last registration made, to show the user; `null` before. */
  notice: string | null;
  /** Register the model logged at `path` of the run. */
  register: (path: string) => Promise<void>;
}

/** Registering a run's logged model, with a notice of what was made. */
export function useModelRegistration(
  registry: RegistryApi,
  runId: string,
  trans: TranslationBundle,
  setError: (error: IErrorState | null) => void
): IModelRegistration {
  const [notice, setNotice] = React.useState<string | null>(null);
  const register = async (path: string) => {
    try {
      const version = await registerModelFromRun(registry, runId, path, trans);
      if (version) {
        setNotice(
          trans.__('Registered %1 version %2.', version.name, version.version)
        );
        setError(null);
      }
    } catch (reason) {
      setError(describeError(reason));
    }
  };
  return { notice, register };
}
