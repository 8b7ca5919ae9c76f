import type { ICreateRequest, IEditRequest, INotebookOptions } from './api';

/** What the spawn form holds: each field as the user left it. */
export interface ISpawnValues {
  owner: string;
  name: string;
  profile: string;
  image: string;
  /** Whether the user picked the image (rather than leaving the default). */
  imageTouched: boolean;
  cpu: string;
  memory: string;
  gpus: number;
  gpuResource: string;
  /** The workspace volume's size; empty: the server's default. */
  size: string;
}

/** Whether the server offers GPUs at all. */
export function offersGpus(options: INotebookOptions): boolean {
  return options.gpu_resources.length > 0 && options.max_gpus > 0;
}

/** The edit of an existing server: only what can change after creation. */
export function buildEditRequest(
  values: ISpawnValues,
  options: INotebookOptions
): IEditRequest {
  const body: IEditRequest = { image: values.image };
  if (values.cpu) {
    body.cpu = values.cpu;
  }
  if (values.memory) {
    body.memory = values.memory;
  }
  if (offersGpus(options)) {
    body.gpus = values.gpus;
    if (values.gpus > 0) {
      body.gpu_resource = values.gpuResource;
    }
  }
  return body;
}

/** The request that spawns a new server, with only the fields the user set. */
export function buildCreateRequest(
  values: ISpawnValues,
  options: INotebookOptions
): ICreateRequest {
  const { owner, profile, image } = values;
  const profileOverrides =
    options.profiles.find(p => p.slug === profile)?.overrides ?? {};
  const body: ICreateRequest = { name: values.name };
  if (options.is_admin && owner && owner !== options.user) {
    body.owner = owner;
  }
  if (profile) {
    body.profile = profile;
  }
  // A profile's own image wins unless the user picked one.
  if (image && (values.imageTouched || !('image' in profileOverrides))) {
    body.image = image;
  }
  if (values.cpu) {
    body.cpu = values.cpu;
  }
  if (values.memory) {
    body.memory = values.memory;
  }
  if (offersGpus(options) && values.gpus > 0) {
    body.gpus = values.gpus;
    body.gpu_resource = values.gpuResource;
  }
  if (values.size) {
    body.workspace = { size: values.size };
  }
  return body;
}
