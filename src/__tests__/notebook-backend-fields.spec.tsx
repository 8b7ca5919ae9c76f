import * as React from 'react';
import { act } from 'react';

import type {
  INotebookOptions,
  NotebookServersApi
} from '../notebook-servers/api';
import {
  editableAfterCreation,
  enforcedFields
} from '../notebook-servers/backend-fields';
import { SpawnForm } from '../notebook-servers/spawn-form';
import { mountedReactRoot } from './react-root';

// Tell React this is a test environment, so act() works without warnings.
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

function options(backend: string): INotebookOptions {
  return {
    images: [{ image: 'jupyter/base:1', display_name: 'Base', default: true }],
    allow_custom_image: false,
    profiles: [],
    gpu_resources: ['nvidia.com/gpu'],
    max_gpus: 2,
    defaults: { cpu: '0.5', memory: '1Gi', workspace_size: '5Gi' },
    quota: {},
    backend,
    is_admin: false,
    user: 'ada'
  };
}

describe('enforcedFields', () => {
  it('asks the local backend for none of the settings it cannot apply', () => {
    expect(enforcedFields('local')).toEqual({
      image: false,
      resources: false,
      gpus: false,
      workspaceSize: false
    });
    expect(editableAfterCreation('local')).toBe(false);
  });

  it('asks Kubernetes backends (and unknown ones) for all of them', () => {
    for (const backend of ['kubernetes', 'kubeflow', 'someday']) {
      expect(Object.values(enforcedFields(backend))).toEqual([
        true,
        true,
        true,
        true
      ]);
      expect(editableAfterCreation(backend)).toBe(true);
    }
  });
});

describe('SpawnForm', () => {
  const mounted = mountedReactRoot();
  const api = {} as NotebookServersApi; // never called: nothing is submitted

  function fieldNames(): string[] {
    return Array.from(
      mounted.host.querySelectorAll('input[name], select[name]')
    ).map(field => field.getAttribute('name')!);
  }

  it('shows the local backend only its name, and says why', () => {
    act(() =>
      mounted.root.render(
        <SpawnForm
          api={api}
          options={options('local')}
          onDone={() => undefined}
          onCancel={() => undefined}
        />
      )
    );
    expect(fieldNames()).toEqual(['name']);
    expect(mounted.host.textContent).toContain('apply only on Kubernetes');
  });

  it('shows Kubernetes image, resources, GPUs and workspace size', () => {
    act(() =>
      mounted.root.render(
        <SpawnForm
          api={api}
          options={options('kubernetes')}
          onDone={() => undefined}
          onCancel={() => undefined}
        />
      )
    );
    expect(fieldNames()).toEqual([
      'name',
      'image',
      'cpu',
      'memory',
      'gpus',
      'workspace_size'
    ]);
  });
});
