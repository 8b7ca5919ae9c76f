import * as React from 'react';

import type { INotebookOptions } from './api';
import { GpuFields } from './gpu-fields';
import { offersGpus, ISpawnValues } from './spawn-request';

/**
 * CPU and memory (their placeholders the profile's or the server's
 * defaults), and GPUs where the server offers them and the backend applies
 * them.
 */
export function ResourceFields(props: {
  options: INotebookOptions;
  values: ISpawnValues;
  set: (changes: Partial<ISpawnValues>) => void;
  fieldClass: (field: string) => string;
  /** Whether the backend applies GPU requests (the form offers them then). */
  gpus: boolean;
}): JSX.Element {
  const { options, values, set, fieldClass } = props;
  const profileOverrides =
    options.profiles.find(p => p.slug === values.profile)?.overrides ?? {};
  return (
    <>
      <div className="mlops-NbRow">
        <label className={fieldClass('cpu')}>
          CPU
          <input
            className="jp-mod-styled"
            name="cpu"
            placeholder={String(
              profileOverrides['cpu'] ?? options.defaults.cpu
            )}
            value={values.cpu}
            onChange={e => set({ cpu: e.target.value })}
          />
        </label>
        <label className={fieldClass('memory')}>
          Memory
          <input
            className="jp-mod-styled"
            name="memory"
            placeholder={String(
              profileOverrides['memory'] ?? options.defaults.memory
            )}
            value={values.memory}
            onChange={e => set({ memory: e.target.value })}
          />
        </label>
      </div>
      {props.gpus && offersGpus(options) && (
        <GpuFields
          options={options}
          gpus={values.gpus}
          gpuResource={values.gpuResource}
          onGpus={gpus => set({ gpus })}
          onGpuResource={gpuResource => set({ gpuResource })}
          fieldClass={fieldClass}
        />
      )}
    </>
  );
}
