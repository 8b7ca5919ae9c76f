import * as React from 'react';

import type { INotebookServer, NotebookServersApi } from './api';
import type { ServerPane } from './server-buttons';

export interface IServerPanes {
  pane: ServerPane;
  setPane: (pane: ServerPane) => void;
  /** The logs or manifests the open pane shows. */
  text: string;
  /** The message of the last action that failed, else `null`. */
  error: string | null;
  /** Run an action, showing its failure as the row's error. */
  act: (fn: () => Promise<void>) => Promise<void>;
  /** Open a pane (closing it when it is open already). */
  toggle: (next: ServerPane) => void;
  showLogs: () => void;
  showDetails: () => void;
}

/** Which pane of a server row is open, and the text and errors it shows. */
export function useServerPanes(
  api: NotebookServersApi,
  server: INotebookServer,
  initialPane: ServerPane
): IServerPanes {
  const [pane, setPane] = React.useState<ServerPane>(initialPane);
  const [text, setText] = React.useState('');
  const [error, setError] = React.useState<string | null>(null);

  const act = async (fn: () => Promise<void>): Promise<void> => {
    setError(null);
    try {
      await fn();
    } catch (reason) {
      setError((reason as Error).message);
    }
  };
  const toggle = (next: ServerPane, load?: () => Promise<void>): void => {
    if (pane === next) {
      setPane('none');
      return;
    }
    setPane(next);
    if (load) {
      void act(load);
    }
  };
  const showLogs = (): void =>
    toggle('logs', async () =>
      setText(await api.logs(server.owner, server.name))
    );
  const showDetails = (): void =>
    toggle('details', async () => {
      const manifests = await api.manifest(server.owner, server.name);
      setText(manifests.map(m => JSON.stringify(m, null, 2)).join('\n---\n'));
    });
  return {
    pane,
    setPane,
    text,
    error,
    act,
    toggle: next => toggle(next),
    showLogs,
    showDetails
  };
}
