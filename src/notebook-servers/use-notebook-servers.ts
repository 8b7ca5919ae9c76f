import * as React from 'react';

import type {
  INotebookOptions,
  INotebookServer,
  NotebookServersApi
} from './api';

const REFRESH_MS = 5000;

export interface INotebookServers {
  /** What the server offers; `null` until read. */
  options: INotebookOptions | null;
  servers: INotebookServer[];
  error: string | null;
  refresh: () => Promise<void>;
  /** Put a server's new state in place of its old one. */
  replace: (server: INotebookServer) => void;
  /** Add a new server at the end (in place of one of the same name). */
  add: (server: INotebookServer) => void;
}

/** The spawn options and the servers of `user` (all: empty), kept fresh. */
export function useNotebookServers(
  api: NotebookServersApi,
  user: string
): INotebookServers {
  const [options, setOptions] = React.useState<INotebookOptions | null>(null);
  const [servers, setServers] = React.useState<INotebookServer[]>([]);
  const [error, setError] = React.useState<string | null>(null);

  const refresh = React.useCallback(async () => {
    try {
      setServers(await api.list(user || undefined));
      setError(null);
    } catch (reason) {
      setError((reason as Error).message);
    }
  }, [api, user]);

  React.useEffect(() => {
    api
      .options()
      .then(setOptions)
      .catch(reason => setError((reason as Error).message));
  }, [api]);

  React.useEffect(() => {
    void refresh();
    const timer = window.setInterval(() => void refresh(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [refresh]);

  const replace = (server: INotebookServer): void =>
    setServers(previous =>
      previous.map(s =>
        s.owner === server.owner && s.name === server.name ? server : s
      )
    );
  const add = (server: INotebookServer): void =>
    setServers(previous => [
      ...previous.filter(
        s => !(s.owner === server.owner && s.name === server.name)
      ),
      server
    ]);
  return { options, servers, error, refresh, replace, add };
}
