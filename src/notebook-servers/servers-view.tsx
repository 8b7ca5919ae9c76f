import * as React from 'react';

import {
  INotebookOptions,
  INotebookServer,
  isTransitional,
  NotebookServersApi
} from './api';
import { ServerRow } from './server-row';
import { SpawnForm } from './spawn-form';

const REFRESH_MS = 5000;

/** The Notebook Servers panel: the list, and the spawn form. */
export function ServersView(props: { api: NotebookServersApi }): JSX.Element {
  const { api } = props;
  const [options, setOptions] = React.useState<INotebookOptions | null>(null);
  const [servers, setServers] = React.useState<INotebookServer[]>([]);
  const [user, setUser] = React.useState('');
  const [spawning, setSpawning] = React.useState(false);
  const [justSpawned, setJustSpawned] = React.useState<string | null>(null);
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

  if (options === null) {
    return (
      <div className="mlops-NbPanel">
        {error ? <div className="mlops-NbError">{error}</div> : 'Loading…'}
      </div>
    );
  }
  return (
    <div className="mlops-NbPanel">
      <div className="mlops-NbToolbar">
        <h2>Notebook servers</h2>
        <button
          className="jp-Button jp-mod-accept"
          onClick={() => setSpawning(!spawning)}
        >
          New server
        </button>
        <button className="jp-Button" onClick={() => void refresh()}>
          Refresh
        </button>
      </div>
      {options.is_admin && (
        <label className="mlops-NbField">
          Show user
          <select
            name="user-filter"
            value={user}
            onChange={e => setUser(e.target.value)}
          >
            <option value="">everyone</option>
            {(options.users ?? []).map(u => (
              <option key={u} value={u}>
                {u}
              </option>
            ))}
          </select>
        </label>
      )}
      {spawning && (
        <SpawnForm
          api={api}
          options={options}
          onDone={server => {
            setSpawning(false);
            setJustSpawned(`${server.owner}/${server.name}`);
            setServers(previous => [
              ...previous.filter(
                s => !(s.owner === server.owner && s.name === server.name)
              ),
              server
            ]);
          }}
          onCancel={() => setSpawning(false)}
        />
      )}
      {error && <div className="mlops-NbError">{error}</div>}
      {servers.length === 0 && !spawning && (
        <p className="mlops-NbHint">
          No notebook servers yet. “New server” starts one ({options.backend}{' '}
          backend).
        </p>
      )}
      <ul className="mlops-NbList">
        {servers.map(server => (
          <ServerRow
            key={`${server.owner}/${server.name}`}
            api={api}
            options={options}
            server={server}
            initialPane={
              justSpawned === `${server.owner}/${server.name}` ||
              isTransitional(server.status)
                ? 'progress'
                : 'none'
            }
            onChange={replace}
            onDeleted={() => void refresh()}
          />
        ))}
      </ul>
    </div>
  );
}
