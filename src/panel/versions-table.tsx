import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { TableSection } from '../components/table-section';
import type { IModelVersion } from './registry-api';
import { VersionRow } from './version-row';

export interface IVersionsTableProps {
  versions: IModelVersion[];
  /** Source runs by run id (names and metrics). */
  runs: ReadonlyMap<string, IRun>;
  onOpenRun: (runId: string) => void;
  onDelete: (version: string) => void;
  trans: TranslationBundle;
}

/** The versions of a registered model, newest first. */
export function VersionsTable(props: IVersionsTableProps): JSX.Element {
  const { trans } = props;
  return (
    <TableSection
      className="mlops-ModelDetail-versions"
      title={trans.__('Versions')}
      emptyText={trans.__('No versions.')}
      items={props.versions}
      tableClassName="mlops-VersionsTable"
      headers={[
        trans.__('Version'),
        trans.__('Aliases'),
        trans.__('Registered'),
        trans.__('Status'),
        trans.__('Source run'),
        trans.__('Metrics'),
        trans.__('Source'),
        ''
      ]}
      row={v => (
        <VersionRow
          key={v.version}
          version={v}
          run={v.run_id ? props.runs.get(v.run_id) : undefined}
          onOpenRun={props.onOpenRun}
          onDelete={() => props.onDelete(v.version)}
          trans={trans}
        />
      )}
    />
  );
}
