import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IArtifactFile, TrackingApi } from '../api';
import { describeError } from '../model';
import { baseName, formatBytes } from './artifact-kind';
import { ArtifactPreview } from './artifact-preview';

export interface IArtifactBrowserProps {
  api: TrackingApi;
  runId: string;
  rendermime: IRenderMimeRegistry | null;
  /** Register the selected file or folder as a model version. */
  onRegister: (path: string) => void;
  trans: TranslationBundle;
}

/**
 * A run's artifacts as a tree (folders load when opened) next to a preview
 * of the selected file; any file or folder can be registered as a model.
 */
export function ArtifactBrowser(props: IArtifactBrowserProps): JSX.Element {
  const { api, runId, trans } = props;
  const [folders, setFolders] = React.useState<Map<string, IArtifactFile[]>>(
    new Map()
  );
  const [open, setOpen] = React.useState<Set<string>>(new Set(['']));
  const [selected, setSelected] = React.useState<IArtifactFile | null>(null);
  const [error, setError] = React.useState<string | null>(null);

  const load = React.useCallback(
    (path: string) => {
      api
        .listArtifacts(runId, path)
        .then(files => {
          setFolders(previous => new Map(previous).set(path, files));
          // A single model folder at the root: show what is in it right away.
          if (path === '' && files.length === 1 && files[0].is_dir) {
            setOpen(previous => new Set(previous).add(files[0].path));
          }
        })
        .catch(reason => setError(describeError(reason).message));
    },
    [api, runId]
  );

  React.useEffect(() => {
    open.forEach(path => {
      if (!folders.has(path)) {
        load(path);
      }
    });
  }, [open, folders]);

  const toggle = (file: IArtifactFile) => {
    setSelected(file);
    if (!file.is_dir) {
      return;
    }
    setOpen(previous => {
      const next = new Set(previous);
      if (next.has(file.path)) {
        next.delete(file.path);
      } else {
        next.add(file.path);
      }
      return next;
    });
  };

  const renderFolder = (path: string, depth: number): JSX.Element[] => {
    const files = folders.get(path);
    if (!files) {
      return [
        <li
          key={`${path}/…`}
          className="mlops-Muted"
          style={{ paddingLeft: depth * 14 }}
        >
          {trans.__('Loading…')}
        </li>
      ];
    }
    const sorted = [...files].sort(
      (a, b) =>
        Number(b.is_dir) - Number(a.is_dir) || a.path.localeCompare(b.path)
    );
    return sorted.flatMap(file => [
      <li
        key={file.path}
        role="treeitem"
        aria-expanded={file.is_dir ? open.has(file.path) : undefined}
        aria-selected={selected?.path === file.path}
        data-path={file.path}
        tabIndex={0}
        className={`mlops-ArtifactBrowser-item${selected?.path === file.path ? ' jp-mod-selected' : ''}`}
        style={{ paddingLeft: 8 + depth * 14 }}
        onClick={() => toggle(file)}
        onKeyDown={event => {
          if (event.key === 'Enter') {
            toggle(file);
          }
        }}
      >
        <span className="mlops-ArtifactBrowser-icon" aria-hidden>
          {file.is_dir ? (open.has(file.path) ? '▾' : '▸') : '·'}
        </span>
        <span className="mlops-ArtifactBrowser-name">
          {baseName(file.path)}
        </span>
        {!file.is_dir && (
          <span className="mlops-Muted">{formatBytes(file.file_size)}</span>
        )}
      </li>,
      ...(file.is_dir && open.has(file.path)
        ? renderFolder(file.path, depth + 1)
        : [])
    ]);
  };

  const root = folders.get('');
  return (
    <div className="mlops-ArtifactBrowser">
      <div className="mlops-ArtifactBrowser-tree">
        {error && (
          <div className="mlops-Preview-error" role="alert">
            {error}
          </div>
        )}
        {root && root.length === 0 ? (
          <p className="mlops-Placeholder">
            {trans.__('No artifacts logged.')}
          </p>
        ) : (
          <ul role="tree" aria-label={trans.__('Artifacts')}>
            {renderFolder('', 0)}
          </ul>
        )}
        {selected && (
          <div className="mlops-ArtifactBrowser-actions">
            <button
              type="button"
              className="jp-Button jp-mod-styled jp-mod-accept mlops-ArtifactBrowser-register"
              onClick={() => props.onRegister(selected.path)}
              title={trans.__('Register %1 as a model version', selected.path)}
            >
              {trans.__('Register model')}
            </button>
          </div>
        )}
      </div>
      <div className="mlops-ArtifactBrowser-preview">
        {selected && !selected.is_dir ? (
          <ArtifactPreview
            api={api}
            runId={runId}
            file={selected}
            rendermime={props.rendermime}
            trans={trans}
          />
        ) : (
          <p className="mlops-Placeholder">
            {selected
              ? trans.__(
                  'Folder %1: register it as a model, or open a file in it.',
                  selected.path
                )
              : trans.__('Select a file to preview it.')}
          </p>
        )}
      </div>
    </div>
  );
}
