import * as React from 'react';

import type {
  INotebookOptions,
  INotebookServer,
  NotebookServersApi
} from './api';
import {
  buildCreateRequest,
  buildEditRequest,
  ISpawnValues
} from './spawn-request';

/** Why the server refused the form, and the field at fault (if one). */
export interface ISpawnError {
  message: string;
  field: string | null;
}

export interface ISpawnSubmit {
  error: ISpawnError | null;
  /** Whether a request is on its way. */
  busy: boolean;
  submit: (event: React.FormEvent) => Promise<void>;
}

/** Sending the spawn form: creating a server, or editing `editing`. */
export function useSpawnSubmit(
  api: NotebookServersApi,
  options: INotebookOptions,
  values: ISpawnValues,
  editing: INotebookServer | undefined,
  onDone: (server: INotebookServer) => void
): ISpawnSubmit {
  const [error, setError] = React.useState<ISpawnError | null>(null);
  const [busy, setBusy] = React.useState(false);
  const submit = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onDone(
        editing
          ? await api.update(
              editing.owner,
              editing.name,
              buildEditRequest(values, options)
            )
          : await api.create(buildCreateRequest(values, options))
      );
    } catch (reason) {
      const failure = reason as Error & { field?: string | null };
      setError({ message: failure.message, field: failure.field ?? null });
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, submit };
}
