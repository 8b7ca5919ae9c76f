import * as React from 'react';

import type {
  INotebookOptions,
  INotebookServer,
  NotebookServersApi
} from './api';
import { enforcedFields } from './backend-fields';
import { ImageField } from './image-field';
import { NewServerFields } from './new-server-fields';
import { ResourceFields } from './resource-fields';
import { SpawnFormButtons } from './spawn-form-buttons';
import { useSpawnSubmit } from './use-spawn-submit';
import { useSpawnValues } from './use-spawn-values';

/**
 * The spawn form, built from what the admin configured: images, profiles,
 * GPU choices only where GPUs exist, and (for admins) whose server it is.
 * With `editing`, only what can change after creation is offered.
 */
export function SpawnForm(props: {
  api: NotebookServersApi;
  options: INotebookOptions;
  editing?: INotebookServer;
  onDone: (server: INotebookServer) => void;
  onCancel: () => void;
}): JSX.Element {
  const { api, options, editing, onDone, onCancel } = props;
  const [values, set] = useSpawnValues(options, editing);
  const { error, busy, submit } = useSpawnSubmit(
    api,
    options,
    values,
    editing,
    onDone
  );

  const enforced = enforcedFields(options.backend);

  const fieldClass = (field: string): string =>
    error?.field === field
      ? 'mlops-NbField mlops-mod-invalid'
      : 'mlops-NbField';

  return (
    <form
      className="mlops-NbForm"
      onSubmit={submit}
      aria-label="Notebook server"
    >
      <h3>
        {editing
          ? `Edit ${editing.owner}/${editing.name}`
          : 'New notebook server'}
      </h3>
      {editing && (
        <p className="mlops-NbHint">
          Changes apply at the next start; the workspace is kept.
        </p>
      )}
      {!editing && (
        <NewServerFields
          options={options}
          values={values}
          set={set}
          fieldClass={fieldClass}
        />
      )}
      {enforced.image && (
        <ImageField
          options={options}
          value={values.image}
          onChange={image => set({ image, imageTouched: true })}
          className={fieldClass('image')}
        />
      )}
      {enforced.resources && (
        <ResourceFields
          options={options}
          values={values}
          set={set}
          fieldClass={fieldClass}
          gpus={enforced.gpus}
        />
      )}
      {!enforced.resources && (
        <p className="mlops-NbHint mlops-NbForm-backendHint">
          The {options.backend} backend runs the server as a jupyter lab process
          on this machine: image, CPU, memory, GPUs and workspace size apply
          only on Kubernetes.
        </p>
      )}
      {!editing && enforced.workspaceSize && (
        <label className={fieldClass('workspace.size')}>
          Workspace size
          <input
            className="jp-mod-styled"
            name="workspace_size"
            placeholder={options.defaults.workspace_size}
            value={values.size}
            onChange={e => set({ size: e.target.value })}
          />
        </label>
      )}
      <SpawnFormButtons
        error={error?.message ?? null}
        busy={busy}
        editing={Boolean(editing)}
        onCancel={onCancel}
      />
    </form>
  );
}
