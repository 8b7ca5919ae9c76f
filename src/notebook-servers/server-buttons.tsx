import * as React from 'react';

import type { INotebookServer } from './api';

/** The panes a server row opens below itself. */
export type ServerPane =
  'none' | 'progress' | 'logs' | 'details' | 'edit' | 'delete';

/** A server's actions: open, start or stop, and the panes of its row. */
export function ServerButtons(props: {
  server: INotebookServer;
  onStart: () => void;
  onStop: () => void;
  /** Open (or close) one of the row's panes. */
  onToggle: (pane: ServerPane) => void;
  onLogs: () => void;
  onDetails: () => void;
}): JSX.Element {
  const { server } = props;
  const running = server.status === 'Running';
  const stopped = server.status === 'Stopped' || server.status === 'Failed';
  return (
    <div className="mlops-NbButtons">
      <button
        className="jp-Button"
        disabled={!running || !server.openable}
        title={
          server.openable
            ? undefined
            : 'Only its owner opens it (admins too, when the server allows admin_access)'
        }
        onClick={() => window.open(server.url, '_blank', 'noopener')}
      >
        Open
      </button>
      {stopped ? (
        <button className="jp-Button" onClick={props.onStart}>
          Start
        </button>
      ) : (
        <button
          className="jp-Button"
          disabled={server.status === 'Stopping'}
          onClick={props.onStop}
        >
          Stop
        </button>
      )}
      <button className="jp-Button" onClick={() => props.onToggle('edit')}>
        Edit
      </button>
      <button className="jp-Button" onClick={props.onLogs}>
        Logs
      </button>
      <button className="jp-Button" onClick={props.onDetails}>
        Details
      </button>
      <button className="jp-Button" onClick={() => props.onToggle('progress')}>
        Events
      </button>
      <button
        className="jp-Button jp-mod-warn"
        onClick={() => props.onToggle('delete')}
      >
        Delete
      </button>
    </div>
  );
}
