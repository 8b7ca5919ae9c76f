import * as React from 'react';

import type {
  ICreateRequest,
  IEditRequest,
  INotebookOptions,
  INotebookServer,
  NotebookServersApi
} from './api';

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
  const defaultImage =
    options.images.find(i => i.default)?.image ??
    options.images[0]?.image ??
    '';
  const defaultProfile =
    options.profiles.find(p => p.default)?.slug ??
    options.profiles[0]?.slug ??
    '';
  const [owner, setOwner] = React.useState(options.user);
  const [name, setName] = React.useState('');
  const [profile, setProfile] = React.useState(defaultProfile);
  const [image, setImage] = React.useState(editing?.spec.image ?? defaultImage);
  const [imageTouched, setImageTouched] = React.useState(false);
  const [cpu, setCpu] = React.useState(editing?.spec.cpu ?? '');
  const [memory, setMemory] = React.useState(editing?.spec.memory ?? '');
  const [gpus, setGpus] = React.useState(editing?.spec.gpus ?? 0);
  const [gpuResource, setGpuResource] = React.useState(
    editing?.spec.gpu_resource || options.gpu_resources[0] || ''
  );
  const [size, setSize] = React.useState('');
  const [error, setError] = React.useState<{
    message: string;
    field: string | null;
  } | null>(null);
  const [busy, setBusy] = React.useState(false);
  const hasGpus = options.gpu_resources.length > 0 && options.max_gpus > 0;
  const profileOverrides =
    options.profiles.find(p => p.slug === profile)?.overrides ?? {};

  const submit = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      let server: INotebookServer;
      if (editing) {
        const body: IEditRequest = { image };
        if (cpu) {
          body.cpu = cpu;
        }
        if (memory) {
          body.memory = memory;
        }
        if (hasGpus) {
          body.gpus = gpus;
          if (gpus > 0) {
            body.gpu_resource = gpuResource;
          }
        }
        server = await api.update(editing.owner, editing.name, body);
      } else {
        const body: ICreateRequest = { name };
        if (options.is_admin && owner && owner !== options.user) {
          body.owner = owner;
        }
        if (profile) {
          body.profile = profile;
        }
        // A profile's own image wins unless the user picked one.
        if (image && (imageTouched || !('image' in profileOverrides))) {
          body.image = image;
        }
        if (cpu) {
          body.cpu = cpu;
        }
        if (memory) {
          body.memory = memory;
        }
        if (hasGpus && gpus > 0) {
          body.gpus = gpus;
          body.gpu_resource = gpuResource;
        }
        if (size) {
          body.workspace = { size };
        }
        server = await api.create(body);
      }
      onDone(server);
    } catch (reason) {
      const failure = reason as Error & { field?: string | null };
      setError({ message: failure.message, field: failure.field ?? null });
    } finally {
      setBusy(false);
    }
  };

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
      {!editing && options.is_admin && (
        <label className={fieldClass('owner')}>
          Owner
          <input
            name="owner"
            list="mlops-nb-users"
            value={owner}
            onChange={e => setOwner(e.target.value)}
          />
          <datalist id="mlops-nb-users">
            {(options.users ?? []).map(user => (
              <option key={user} value={user} />
            ))}
          </datalist>
        </label>
      )}
      {!editing && (
        <label className={fieldClass('name')}>
          Name
          <input
            name="name"
            required
            pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,62}"
            placeholder="work"
            value={name}
            onChange={e => setName(e.target.value)}
          />
        </label>
      )}
      {!editing && options.profiles.length > 0 && (
        <label className={fieldClass('profile')}>
          Profile
          <select
            name="profile"
            value={profile}
            onChange={e => setProfile(e.target.value)}
          >
            {options.profiles.map(p => (
              <option key={p.slug} value={p.slug} title={p.description}>
                {p.display_name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className={fieldClass('image')}>
        Image
        {options.allow_custom_image ? (
          <>
            <input
              name="image"
              list="mlops-nb-images"
              value={image}
              onChange={e => {
                setImage(e.target.value);
                setImageTouched(true);
              }}
            />
            <datalist id="mlops-nb-images">
              {options.images.map(i => (
                <option key={i.image} value={i.image}>
                  {i.display_name}
                </option>
              ))}
            </datalist>
          </>
        ) : (
          <select
            name="image"
            value={image}
            onChange={e => {
              setImage(e.target.value);
              setImageTouched(true);
            }}
          >
            {options.images.map(i => (
              <option key={i.image} value={i.image}>
                {i.display_name}
              </option>
            ))}
          </select>
        )}
      </label>
      <div className="mlops-NbRow">
        <label className={fieldClass('cpu')}>
          CPU
          <input
            name="cpu"
            placeholder={String(
              profileOverrides['cpu'] ?? options.defaults.cpu
            )}
            value={cpu}
            onChange={e => setCpu(e.target.value)}
          />
        </label>
        <label className={fieldClass('memory')}>
          Memory
          <input
            name="memory"
            placeholder={String(
              profileOverrides['memory'] ?? options.defaults.memory
            )}
            value={memory}
            onChange={e => setMemory(e.target.value)}
          />
        </label>
      </div>
      {hasGpus && (
        <div className="mlops-NbRow">
          <label className={fieldClass('gpus')}>
            GPUs
            <select
              name="gpus"
              value={gpus}
              onChange={e => setGpus(Number(e.target.value))}
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
                name="gpu_resource"
                value={gpuResource}
                onChange={e => setGpuResource(e.target.value)}
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
      )}
      {!editing && (
        <label className={fieldClass('workspace.size')}>
          Workspace size
          <input
            name="workspace_size"
            placeholder={options.defaults.workspace_size}
            value={size}
            onChange={e => setSize(e.target.value)}
          />
        </label>
      )}
      {error && (
        <div className="mlops-NbError" role="alert">
          {error.message}
        </div>
      )}
      <div className="mlops-NbButtons">
        <button
          type="submit"
          className="jp-Button jp-mod-accept"
          disabled={busy}
        >
          {editing ? 'Save' : 'Spawn'}
        </button>
        <button type="button" className="jp-Button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
