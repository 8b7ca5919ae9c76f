import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { formatRelativeTime } from '../format';
import { formatTimestamp } from './cell-format';
import type { IModelVersion } from './registry-api';

export interface IVersionRowProps {
  version: IModelVersion;
  /** The source run's name, once known (its short id until then). */
  runName?: string;
  onOpenRun: (runId: string) => void;
  onDelete: () => void;
  trans: TranslationBundle;
}

/** One model version: aliases, age, status, source run and source. */
export function VersionRow(props: IVersionRowProps): JSX.Element {
  const { version: v, trans } = props;
  return (
    <tr data-version={v.version}>
      <td>{v.version}</td>
      <td>
        {(v.aliases ?? []).map(a => (
          <span key={a} className="mlops-AliasChip">
            @{a}
          </span>
        ))}
      </td>
      <td title={formatTimestamp(v.creation_timestamp)}>
        {formatRelativeTime(v.creation_timestamp, Date.now())}
      </td>
      <td>{v.status}</td>
      <td>
        {v.run_id ? (
          <button
            type="button"
            className="mlops-LinkButton mlops-VersionsTable-run"
            title={trans.__('Open run %1', v.run_id)}
            onClick={() => props.onOpenRun(v.run_id!)}
          >
            {props.runName ?? v.run_id.slice(0, 8)}
          </button>
        ) : (
          '—'
        )}
      </td>
      <td className="mlops-Code mlops-VersionsTable-source" title={v.source}>
        {v.source}
      </td>
      <td>
        <button
          type="button"
          className="mlops-IconButton"
          title={trans.__('Delete version %1', v.version)}
          aria-label={trans.__('Delete version %1', v.version)}
          onClick={props.onDelete}
        >
          ×
        </button>
      </td>
    </tr>
  );
}
