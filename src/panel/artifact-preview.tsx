import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IArtifactFile, TrackingApi } from '../api';
import { describeError } from '../model';
import { formatBytes, PREVIEW_LIMIT_BYTES, previewKind } from './artifact-kind';
import { CsvTable } from './csv-table';
import { downloadArtifact } from './download-artifact';
import { Markdown } from './markdown';
import { NotebookPreview } from './notebook-preview';
import { LoadedArtifact, useArtifactContent } from './use-artifact-content';

export interface IArtifactPreviewProps {
  api: TrackingApi;
  runId: string;
  file: IArtifactFile;
  rendermime: IRenderMimeRegistry | null;
  trans: TranslationBundle;
}

/**
 * A preview of one artifact: images, text, JSON (pretty), CSV as a table,
 * HTML in a sandboxed frame (no script, no access to JupyterLab), notebooks
 * rendered read-only, and a download button for every file.
 */
export function ArtifactPreview(props: IArtifactPreviewProps): JSX.Element {
  const { api, runId, file, trans } = props;
  const kind = previewKind(file.path);
  const tooBig = (file.file_size ?? 0) > PREVIEW_LIMIT_BYTES;
  const [loaded, setLoaded] = useArtifactContent(
    api,
    runId,
    file,
    kind,
    kind === 'none' || tooBig
  );

  const download = async () => {
    try {
      await downloadArtifact(api, runId, file.path);
    } catch (reason) {
      setLoaded({ state: 'error', message: describeError(reason).message });
    }
  };

  return (
    <div
      className="mlops-ArtifactPreview"
      data-kind={kind}
      data-path={file.path}
    >
      <header className="mlops-ArtifactPreview-header">
        <span className="mlops-ArtifactPreview-name">{file.path}</span>
        <span className="mlops-Muted">{formatBytes(file.file_size)}</span>
        <button
          type="button"
          className="jp-Button jp-mod-styled mlops-ArtifactPreview-download"
          onClick={() => void download()}
        >
          {trans.__('Download')}
        </button>
      </header>
      <div className="mlops-ArtifactPreview-body">
        {kind === 'none' ? (
          <p className="mlops-Muted">
            {trans.__('No preview for this kind of file.')}
          </p>
        ) : tooBig ? (
          <p className="mlops-Muted">
            {trans.__(
              'Too large to preview (%1).',
              formatBytes(file.file_size)
            )}
          </p>
        ) : loaded.state === 'loading' ? (
          <p className="mlops-Muted">{trans.__('Loading…')}</p>
        ) : loaded.state === 'error' ? (
          <div className="mlops-Preview-error" role="alert">
            {loaded.message}
          </div>
        ) : (
          renderPreview(kind, loaded, file, props)
        )}
      </div>
    </div>
  );
}

function renderPreview(
  kind: ReturnType<typeof previewKind>,
  loaded: Extract<LoadedArtifact, { state: 'ready' }>,
  file: IArtifactFile,
  props: IArtifactPreviewProps
): JSX.Element {
  const text = loaded.text ?? '';
  switch (kind) {
    case 'image':
      return (
        <img
          className="mlops-ArtifactPreview-image"
          src={loaded.url}
          alt={file.path}
        />
      );
    case 'markdown':
      return <Markdown source={text} rendermime={props.rendermime} />;
    case 'json': {
      let pretty = text;
      try {
        pretty = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // Show it as it is: a broken JSON file is still worth reading.
      }
      return <pre className="mlops-ArtifactPreview-text">{pretty}</pre>;
    }
    case 'csv':
      return (
        <CsvTable
          content={text}
          delimiter={/\.tsv$/i.test(file.path) ? '\t' : undefined}
        />
      );
    case 'html':
      return (
        <iframe
          className="mlops-ArtifactPreview-frame"
          title={file.path}
          // An empty sandbox: no script, no forms, no same-origin access.
          sandbox=""
          srcDoc={text}
        />
      );
    case 'notebook':
      return <NotebookPreview content={text} rendermime={props.rendermime} />;
    default:
      return <pre className="mlops-ArtifactPreview-text">{text}</pre>;
  }
}
