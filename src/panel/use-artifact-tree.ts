import * as React from 'react';

import type { IArtifactFile, TrackingApi } from '../api';
import { describeError } from '../model';

export interface IArtifactTree {
  /** The listed folders: path -> files (root: ''). */
  folders: Map<string, IArtifactFile[]>;
  /** The open folders (the root is open). */
  open: Set<string>;
  /** Open a closed folder, close an open one. */
  toggleFolder: (path: string) => void;
  error: string | null;
}

/** A run's artifact folders, each listed when first opened. */
export function useArtifactTree(
  api: TrackingApi,
  runId: string
): IArtifactTree {
  const [folders, setFolders] = React.useState<Map<string, IArtifactFile[]>>(
    new Map()
  );
  const [open, setOpen] = React.useState<Set<string>>(new Set(['']));
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

  const toggleFolder = (path: string) =>
    setOpen(previous => {
      const next = new Set(previous);
      if (next.has(path)) {
        next.delete(path);
      } else {
        next.add(path);
      }
      return next;
    });
  return { folders, open, toggleFolder, error };
}
