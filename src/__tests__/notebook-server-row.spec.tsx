import * as React from 'react';
import { act } from 'react';

import {
  INotebookOptions,
  INotebookServer,
  NotebookServersApi
} from '../notebook-servers/api';
import { ServerRow } from '../notebook-servers/server-row';
import { mountedReactRoot } from './react-root';

// Tell React this is a test environment, so act() works without warnings.
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const options: INotebookOptions = {
  images: [],
  allow_custom_image: false,
  profiles: [],
  gpu_resources: [],
  max_gpus: 0,
  defaults: { cpu: '0.5', memory: '1Gi', workspace_size: '5Gi' },
  quota: {},
  backend: 'local',
  is_admin: true,
  user: 'root'
};

function server(openable: boolean): INotebookServer {
  return {
    owner: 'alice',
    name: 'work',
    backend: 'local',
    status: 'Running',
    reason: '',
    message: '',
    url: '/mlops/servers/alice/work/',
    openable,
    created_at: 0,
    updated_at: 0,
    started_at: 0,
    stopped_at: null,
    last_activity: null,
    restart_required: false,
    spec: {
      profile: '',
      image: 'jupyter/minimal',
      cpu: '0.5',
      cpu_limit: '',
      memory: '1Gi',
      memory_limit: '',
      gpus: 0,
      gpu_resource: '',
      workspace: { size: '5Gi', existing_claim: '', mount_path: '' },
      env: {},
      shm_size: '',
      cull_idle_seconds: null
    },
    names: { namespace: '', workload: '', pvc: '', secret: '' }
  };
}

describe('ServerRow', () => {
  const mounted = mountedReactRoot();

  function openButton(openable: boolean): HTMLButtonElement {
    act(() =>
      mounted.root.render(
        <ServerRow
          api={new NotebookServersApi()}
          options={options}
          server={server(openable)}
          onChange={() => undefined}
          onDeleted={() => undefined}
          initialPane="none"
        />
      )
    );
    const buttons = Array.from(mounted.host.querySelectorAll('button'));
    const open = buttons.find(b => b.textContent === 'Open');
    expect(open).toBeDefined();
    return open as HTMLButtonElement;
  }

  it('offers Open on a running server the viewer may open', () => {
    const open = openButton(true);
    expect(open.disabled).toBe(false);
    expect(open.title).toBe('');
  });

  it("keeps Open off, and says why, on another user's server (no admin_access)", () => {
    const open = openButton(false);
    expect(open.disabled).toBe(true);
    expect(open.title).toContain('admin_access');
  });
});
