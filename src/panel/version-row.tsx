import type { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IRun } from '../api';
import {
  formatMetricValue,
  formatRelativeTime,
  pickMetricKeys
} from '../format';
import { formatTimestamp } from './cell-format';
import type { IModelVersion } from './registry-api';

export interface IVersionRowProps {
  version: IModelVersion;
  /** The source run, once read: its name and key metrics. */
  run?: IRun;
  onOpenRun: (runId: string) => void;
  onDelete: () => void;
  trans: TranslationBundle;
}

/** How many of the source run's metrics a row shows. */
const KEY_METRICS = 3;

/** One model version: aliases, age, status, source run, its metrics, source. */
export function VersionRow(props: IVersionRowProps): JSX.Element {
  const { version: v, run, trans } = props;
  const metrics = run?.metrics ?? {};
  const keys = pickMetricKeys(metrics, ['metrics'], KEY_METRICS);
  const allMetrics = Object.keys(metrics)
    .sort()
    .map(key => `${key} ${formatMetricValue(metrics[key].value)}`)
    .join('\n');
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
            {run?.info.run_name || v.run_id.slice(0, 8)}
          </button>
        ) : (
          '—'
        )}
      </td>
      <td className="mlops-VersionsTable-metrics" title={allMetrics}>
        {keys.map(key => (
          <span
            key={key}
            className="mlops-VersionsTable-metric"
            data-metric={key}
          >
            {key} <b>{formatMetricValue(metrics[key].value)}</b>
          </span>
        ))}
      </td>
      <td className="mlops-Code mlops-VersionsTable-source" title={v.source}>
        {v.source}
      </td>
      <td>
        <Button
          minimal
          small
          type="button"
          className="mlops-IconButton"
          title={trans.__('Delete version %1', v.version)}
          aria-label={trans.__('Delete version %1', v.version)}
          onClick={props.onDelete}
        >
          ×
        </Button>
      </td>
    </tr>
  );
}
