import * as React from 'react';

import type { INotebookOptions } from './api';

/** How many GPUs, and of which type where there are several. */
export function GpuFields(props: {
  options: INotebookOptions;
  gpus: number;
  gpuResource: string;
  onGpus: (gpus: number) => void;
  onGpuResource: (resource: string) => void;
  fieldClass: (field: string) => string;
}): JSX.Element {
  const { options, fieldClass } = props;
  return (
    <div className="mlops-NbRow">
      <label className={fieldClass('gpus')}>
        GPUs
        <select
          className="jp-mod-styled"
          name="gpus"
          value={props.gpus}
          onChange={e => props.onGpus(Number(e.target.value))}
        >
          {Array.from({ length: options.max_gpus + 1 }, (_, n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      {options.gpu_resources.length > 1 && (
        <label className={fieldClass('gpu_resource')}>
          GPU type
          <select
            className="jp-mod-styled"
            name="gpu_resource"
            value={props.gpuResource}
            onChange={e => props.onGpuResource(e.target.value)}
          >
            {options.gpu_resources.map(r => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}
