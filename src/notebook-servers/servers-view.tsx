import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { isTransitional, NotebookServersApi } from './api';
import { ServerRow } from './server-row';
import { SpawnForm } from './spawn-form';
import { useNotebookServers } from './use-notebook-servers';
import { UserFilter } from './user-filter';

/** The Notebook Servers panel: the list, and the spawn form. */
export function ServersView(props: { api: NotebookServersApi }): JSX.Element {
  const { api } = props;
  const [user, setUser] = React.useState('');
  const [spawning, setSpawning] = React.useState(false);
  const [justSpawned, setJustSpawned] = React.useState<string | null>(null);
  const { options, servers, error, refresh, replace, add } = useNotebookServers(
    api,
    user
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
        <Button
          className="jp-mod-styled jp-mod-accept"
          onClick={() => setSpawning(!spawning)}
        >
          New server
        </Button>
        <Button
          className="jp-mod-styled jp-mod-reject"
          onClick={() => void refresh()}
        >
          Refresh
        </Button>
      </div>
      {options.is_admin && (
        <UserFilter
          users={options.users ?? []}
          value={user}
          onChange={setUser}
        />
      )}
      {spawning && (
        <SpawnForm
          api={api}
          options={options}
          onDone={server => {
            setSpawning(false);
            setJustSpawned(`${server.owner}/${server.name}`);
            add(server);
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
