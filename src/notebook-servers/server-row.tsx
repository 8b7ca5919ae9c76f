import * as React from 'react';

import {
  INotebookOptions,
  INotebookServer,
  isTransitional,
  NotebookServersApi
} from './api';
import { SpawnForm } from './spawn-form';
import { SpawnProgress } from './spawn-progress';
import { ServerStatusBadge } from './status-badge';

type Pane = 'none' | 'progress' | 'logs' | 'details' | 'edit' | 'delete';

/** One server: status, actions, and its logs, details or edit form on demand. */
export function ServerRow(props: {
  api: NotebookServersApi;
  options: INotebookOptions;
  server: INotebookServer;
  onChange: (server: INotebookServer) => void;
  onDeleted: () => void;
  initialPane?: Pane;
}): JSX.Element {
  const { api, options, server, onChange, onDeleted } = props;
  const [pane, setPane] = React.useState<Pane>(
    props.initialPane ?? (isTransitional(server.status) ? 'progress' : 'none')
  );
  const [text, setText] = React.useState('');
  const [error, setError] = React.useState<string | null>(null);
  const [deleteVolume, setDeleteVolume] = React.useState(false);
  const running = server.status === 'Running';
  const stopped = server.status === 'Stopped' || server.status === 'Failed';

  const act = async (fn: () => Promise<void>): Promise<void> => {
    setError(null);
    try {
      await fn();
    } catch (reason) {
      setError((reason as Error).message);
    }
  };
  const toggle = (next: Pane, load?: () => Promise<void>): void => {
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

  return (
    <li
      className="mlops-NbServer"
      data-server={`${server.owner}/${server.name}`}
      aria-label={`${server.owner}/${server.name}`}
    >
      <div className="mlops-NbServer-head">
        <span className="mlops-NbServer-name">
          {options.is_admin && server.owner !== options.user
            ? `${server.owner}/`
            : ''}
          {server.name}
        </span>
        <ServerStatusBadge
          status={server.status}
          reason={server.reason}
          message={server.message}
        />
      </div>
      <div className="mlops-NbServer-spec">
        {server.spec.image.split('/').pop()} · {server.spec.cpu} CPU ·{' '}
        {server.spec.memory}
        {server.spec.gpus > 0 ? ` · ${server.spec.gpus} GPU` : ''}
        {server.restart_required ? ' · restart to apply edits' : ''}
      </div>
      {server.message && !running && (
        <div className="mlops-NbServer-message">{server.message}</div>
      )}
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
          <button
            className="jp-Button"
            onClick={() =>
              act(async () => {
                onChange(await api.action(server.owner, server.name, 'start'));
                setPane('progress');
              })
            }
          >
            Start
          </button>
        ) : (
          <button
            className="jp-Button"
            disabled={server.status === 'Stopping'}
            onClick={() =>
              act(async () =>
                onChange(await api.action(server.owner, server.name, 'stop'))
              )
            }
          >
            Stop
          </button>
        )}
        <button className="jp-Button" onClick={() => toggle('edit')}>
          Edit
        </button>
        <button className="jp-Button" onClick={showLogs}>
          Logs
        </button>
        <button className="jp-Button" onClick={showDetails}>
          Details
        </button>
        <button className="jp-Button" onClick={() => toggle('progress')}>
          Events
        </button>
        <button
          className="jp-Button jp-mod-warn"
          onClick={() => toggle('delete')}
        >
          Delete
        </button>
      </div>
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
        <div className="mlops-NbConfirm">
          <label>
            <input
              type="checkbox"
              checked={deleteVolume}
              onChange={e => setDeleteVolume(e.target.checked)}
            />{' '}
            Also delete the workspace volume
          </label>
          <button
            className="jp-Button jp-mod-warn"
            onClick={() =>
              act(async () => {
                await api.remove(server.owner, server.name, deleteVolume);
                onDeleted();
              })
            }
          >
            Delete {server.name}
          </button>
        </div>
      )}
    </li>
  );
}
