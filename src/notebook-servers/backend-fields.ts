/**
 * Which spawn-form fields a notebook backend enforces. The local backend
 * starts `jupyter lab` as a process on the server's machine: it records an
 * image, CPU, memory, GPUs and a workspace size but applies none of them, so
 * the form does not ask for them there. Kubernetes-based backends (and any
 * backend we do not know) get every field.
 */
export interface IEnforcedFields {
  image: boolean;
  /** CPU and memory. */
  resources: boolean;
  gpus: boolean;
  workspaceSize: boolean;
}

const ALL: IEnforcedFields = {
  image: true,
  resources: true,
  gpus: true,
  workspaceSize: true
};

const NONE: IEnforcedFields = {
  image: false,
  resources: false,
  gpus: false,
  workspaceSize: false
};

/** The fields `backend` (the options' `backend`, e.g. `local`) enforces. */
export function enforcedFields(backend: string): IEnforcedFields {
  return backend === 'local' ? NONE : ALL;
}

/** Whether a created server has anything left to edit on this backend. */
export function editableAfterCreation(backend: string): boolean {
  const fields = enforcedFields(backend);
  return fields.image || fields.resources || fields.gpus;
}
