import * as React from 'react';

import type { IArtifactFile } from '../api';
import { baseName, formatBytes } from './artifact-kind';

export interface IArtifactTreeItemProps {
  file: IArtifactFile;
  /** How deep in the tree (the root's files: 0). */
  depth: number;
  /** Whether the folder is open (files: ignored). */
  expanded: boolean;
  selected: boolean;
  onChoose: () => void;
}

/** A file (with its size) or a folder (open or closed) of the tree. */
export function ArtifactTreeItem(props: IArtifactTreeItemProps): JSX.Element {
  const { file, expanded, selected } = props;
  return (
    <li
      role="treeitem"
      aria-expanded={file.is_dir ? expanded : undefined}
      aria-selected={selected}
      data-path={file.path}
      tabIndex={0}
      className={`mlops-ArtifactBrowser-item${selected ? ' jp-mod-selected' : ''}`}
      style={{ paddingLeft: 8 + props.depth * 14 }}
      onClick={props.onChoose}
      onKeyDown={event => {
        if (event.key === 'Enter') {
          props.onChoose();
        }
      }}
    >
      <span className="mlops-ArtifactBrowser-icon" aria-hidden>
        {file.is_dir ? (expanded ? '▾' : '▸') : '·'}
      </span>
      <span className="mlops-ArtifactBrowser-name">{baseName(file.path)}</span>
      {!file.is_dir && (
        <span className="mlops-Muted">{formatBytes(file.file_size)}</span>
      )}
    </li>
  );
}
