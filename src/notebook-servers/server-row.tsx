import * as React from 'react';

import {
  INotebookOptions,
  INotebookServer,
  isTransitional,
  NotebookServersApi
} from './api';
import { editableAfterCreation } from './backend-fields';
import { DeleteServerConfirm } from './delete-server-confirm';
import { ServerButtons, ServerPane } from './server-buttons';
import { ServerSummary } from './server-summary';
import { SpawnForm } from './spawn-form';
import { SpawnProgress } from './spawn-progress';
import { useServerPanes } from './use-server-panes';

/** One server: status, actions, and its logs, details or edit form on demand. */
export function ServerRow(props: {
  api: NotebookServersApi;
  options: INotebookOptions;
  server: INotebookServer;
  onChange: (server: INotebookServer) => void;
  onDeleted: () => void;
  initialPane?: ServerPane;
}): JSX.Element {
  const { api, options, server, onChange, onDeleted } = props;
  const { pane, setPane, text, error, act, toggle, showLogs, showDetails } =
    useServerPanes(
      api,
      server,
      props.initialPane ?? (isTransitional(server.status) ? 'progress' : 'none')
    );
  const [deleteVolume, setDeleteVolume] = React.useState(false);
  const serverAction = (verb: 'start' | 'stop') =>
    act(async () => {
      onChange(await api.action(server.owner, server.name, verb));
      if (verb === 'start') {
        setPane('progress');
      }
    });

  return (
    <li
      className="mlops-NbServer"
      data-server={`${server.owner}/${server.name}`}
      aria-label={`${server.owner}/${server.name}`}
    >
      <ServerSummary options={options} server={server} />
      <ServerButtons
        server={server}
        onStart={() => serverAction('start')}
        onStop={() => serverAction('stop')}
        onToggle={toggle}
        onLogs={showLogs}
        onDetails={showDetails}
        canEdit={editableAfterCreation(options.backend)}
      />
      {error && (
        <div className="mlops-NbError" role="alert">
          {error}
        </div>
      )}
      {pane === 'progress' && (
        <SpawnProgress api={api} server={server} onChange={onChange} />
      )}
      {(pane === 'logs' || pane === 'details') && (
        <pre className="mlops-NbText" aria-label={pane}>
          {text || (pane === 'logs' ? '(no output yet)' : '')}
        </pre>
      )}
      {pane === 'edit' && (
        <SpawnForm
          api={api}
          options={options}
          editing={server}
          onDone={updated => {
            onChange(updated);
            setPane('none');
          }}
          onCancel={() => setPane('none')}
        />
      )}
      {pane === 'delete' && (
        <DeleteServerConfirm
          name={server.name}
          deleteVolume={deleteVolume}
          onDeleteVolume={setDeleteVolume}
          onConfirm={() =>
            act(async () => {
              await api.remove(server.owner, server.name, deleteVolume);
              onDeleted();
            })
          }
        />
      )}
    </li>
  );
}
