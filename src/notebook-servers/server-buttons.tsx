import { Button } from '@jupyterlab/ui-components';
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
  /** Whether the backend has settings to change after creation (Edit). */
  canEdit: boolean;
}): JSX.Element {
  const { server } = props;
  const running = server.status === 'Running';
  const stopped = server.status === 'Stopped' || server.status === 'Failed';
  return (
    <div className="mlops-NbButtons">
      <Button
        className="jp-mod-styled jp-mod-reject"
        disabled={!running || !server.openable}
        title={
          server.openable
            ? undefined
            : 'Only its owner opens it (admins too, when the server allows admin_access)'
        }
        onClick={() => window.open(server.url, '_blank', 'noopener')}
      >
        Open
      </Button>
      {stopped ? (
        <Button className="jp-mod-styled jp-mod-reject" onClick={props.onStart}>
          Start
        </Button>
      ) : (
        <Button
          className="jp-mod-styled jp-mod-reject"
          disabled={server.status === 'Stopping'}
          onClick={props.onStop}
        >
          Stop
        </Button>
      )}
      {props.canEdit && (
        <Button
          className="jp-mod-styled jp-mod-reject"
          onClick={() => props.onToggle('edit')}
        >
          Edit
        </Button>
      )}
      <Button className="jp-mod-styled jp-mod-reject" onClick={props.onLogs}>
        Logs
      </Button>
      <Button className="jp-mod-styled jp-mod-reject" onClick={props.onDetails}>
        Details
      </Button>
      <Button
        className="jp-mod-styled jp-mod-reject"
        onClick={() => props.onToggle('progress')}
      >
        Events
      </Button>
      <Button
        className="jp-mod-styled jp-mod-warn"
        onClick={() => props.onToggle('delete')}
      >
        Delete
      </Button>
    </div>
  );
}
