import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IArtifactFile, TrackingApi } from '../api';
import { describeError } from '../model';
import {
  baseName,
  formatBytes,
  PREVIEW_LIMIT_BYTES,
  previewKind
} from './artifact-kind';
import { CsvTable } from './csv-table';
import { Markdown } from './markdown';
import { NotebookPreview } from './notebook-preview';

export interface IArtifactPreviewProps {
  api: TrackingApi;
  runId: string;
  file: IArtifactFile;
  rendermime: IRenderMimeRegistry | null;
  trans: TranslationBundle;
}

type Loaded =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; blob: Blob; text: string | null; url: string };

/**
 * A preview of one artifact: images, text, JSON (pretty), CSV as a table,
 * HTML in a sandboxed frame (no script, no access to JupyterLab), notebooks
 * rendered read-only, and a download button for every file.
 */
export function ArtifactPreview(props: IArtifactPreviewProps): JSX.Element {
  const { api, runId, file, trans } = props;
  const kind = previewKind(file.path);
  const tooBig = (file.file_size ?? 0) > PREVIEW_LIMIT_BYTES;
  const [loaded, setLoaded] = React.useState<Loaded>({ state: 'loading' });

  React.useEffect(() => {
    if (kind === 'none' || tooBig) {
      return;
    }
    let cancelled = false;
    let url: string | null = null;
    setLoaded({ state: 'loading' });
    api
      .fetchArtifact(runId, file.path)
      .then(async blob => {
        const text = kind === 'image' ? null : await blob.text();
        // SVG drawn through <img> runs no script.
        const typed =
          kind === 'image' && /\.svg$/i.test(file.path)
            ? new Blob([blob], { type: 'image/svg+xml' })
            : blob;
        url = URL.createObjectURL(typed);
        if (!cancelled) {
          setLoaded({ state: 'ready', blob, text, url });
        }
      })
      .catch(reason => {
        if (!cancelled) {
          setLoaded({ state: 'error', message: describeError(reason).message });
        }
      });
    return () => {
      cancelled = true;
      if (url) {
        URL.revokeObjectURL(url);
      }
    };
  }, [runId, file.path]);

  const download = async () => {
    try {
      const blob = await api.fetchArtifact(runId, file.path);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = baseName(file.path);
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
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
  loaded: Extract<Loaded, { state: 'ready' }>,
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
