import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IArtifactFile } from '../api';
import { ArtifactTreeItem } from './artifact-tree-item';

export interface IArtifactTreeProps {
  folders: Map<string, IArtifactFile[]>;
  open: Set<string>;
  selected: IArtifactFile | null;
  onChoose: (file: IArtifactFile) => void;
  trans: TranslationBundle;
}

/**
 * The artifacts as a tree: folders first, then files, by path; an open
 * folder's items follow it, indented (one flat list, as ARIA trees allow).
 */
export function ArtifactTree(props: IArtifactTreeProps): JSX.Element {
  const { folders, open, selected, trans } = props;
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
      <ArtifactTreeItem
        key={file.path}
        file={file}
        depth={depth}
        expanded={open.has(file.path)}
        selected={selected?.path === file.path}
        onChoose={() => props.onChoose(file)}
      />,
      ...(file.is_dir && open.has(file.path)
        ? renderFolder(file.path, depth + 1)
        : [])
    ]);
  };
  return (
    <ul role="tree" aria-label={trans.__('Artifacts')}>
      {renderFolder('', 0)}
    </ul>
  );
}
