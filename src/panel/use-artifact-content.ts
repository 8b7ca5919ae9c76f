import * as React from 'react';

import type { IArtifactFile, TrackingApi } from '../api';
import { describeError } from '../model';
import type { previewKind } from './artifact-kind';

/** An artifact's content as its preview needs it. */
export type LoadedArtifact =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; blob: Blob; text: string | null; url: string };

/**
 * Fetch an artifact to preview it (unless `skip`): its text (not for an
 * image) and an object URL, revoked when the file changes.
 */
export function useArtifactContent(
  api: TrackingApi,
  runId: string,
  file: IArtifactFile,
  kind: ReturnType<typeof previewKind>,
  skip: boolean
): [LoadedArtifact, (loaded: LoadedArtifact) => void] {
  const [loaded, setLoaded] = React.useState<LoadedArtifact>({
    state: 'loading'
  });
  React.useEffect(() => {
    if (skip) {
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
  return [loaded, setLoaded];
}
