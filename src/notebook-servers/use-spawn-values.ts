import * as React from 'react';

import type { INotebookOptions, INotebookServer } from './api';
import type { ISpawnValues } from './spawn-request';

/**
 * The spawn form's fields, starting from the server being edited, else from
 * the configured defaults; `set` changes some of them.
 */
export function useSpawnValues(
  options: INotebookOptions,
  editing?: INotebookServer
): [ISpawnValues, (changes: Partial<ISpawnValues>) => void] {
  const [values, setValues] = React.useState<ISpawnValues>(() => {
    const defaultImage =
      options.images.find(i => i.default)?.image ??
      options.images[0]?.image ??
      '';
    const defaultProfile =
      options.profiles.find(p => p.default)?.slug ??
      options.profiles[0]?.slug ??
      '';
    return {
      owner: options.user,
      name: '',
      profile: defaultProfile,
      image: editing?.spec.image ?? defaultImage,
      imageTouched: false,
      cpu: editing?.spec.cpu ?? '',
      memory: editing?.spec.memory ?? '',
      gpus: editing?.spec.gpus ?? 0,
      gpuResource: editing?.spec.gpu_resource || options.gpu_resources[0] || '',
      size: ''
    };
  });
  const set = React.useCallback(
    (changes: Partial<ISpawnValues>) => setValues(v => ({ ...v, ...changes })),
    []
  );
  return [values, set];
}
