import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IArtifactFile, TrackingApi } from '../api';
import { ArtifactPreview } from './artifact-preview';
import { ArtifactTree } from './artifact-tree';
import { useArtifactTree } from './use-artifact-tree';

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
  const { folders, open, toggleFolder, error } = useArtifactTree(api, runId);
  const [selected, setSelected] = React.useState<IArtifactFile | null>(null);

  const toggle = (file: IArtifactFile) => {
    setSelected(file);
    if (!file.is_dir) {
      return;
    }
    toggleFolder(file.path);
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
          <ArtifactTree
            folders={folders}
            open={open}
            selected={selected}
            onChoose={toggle}
            trans={trans}
          />
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
