import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import {
  formatDuration,
  formatMetricValue,
  formatRelativeTime,
  pickMetricKeys,
  runDuration
} from '../format';
import { StatusBadge } from './status-badge';

export interface IRunItemProps {
  run: IRun;
  columns: readonly string[];
  now: number;
  /** Open the run's detail view; the name becomes a link when given. */
  onOpen?: (runId: string) => void;
  trans: TranslationBundle;
}

/**
 * One run: name, status, when it started, how long it took, and the latest
 * values of a few metrics.
 */
export function RunItem(props: IRunItemProps): JSX.Element {
  const { run, columns, now, trans } = props;
  const info = run.info;
  const metricKeys = pickMetricKeys(run.metrics, columns);
  const paramKeys = columns
    .filter(column => column.startsWith('params.'))
    .map(column => column.slice('params.'.length))
    .filter(key => key in run.params);
  const show = (column: string) => columns.includes(column);
  return (
    <li className="mlops-RunItem" data-run-id={info.run_id}>
      <div className="mlops-RunItem-header">
        {props.onOpen ? (
          <button
            type="button"
            className="mlops-RunItem-name mlops-LinkButton"
            title={trans.__('Open run %1', info.run_id)}
            onClick={() => props.onOpen!(info.run_id)}
          >
            {info.run_name || info.run_id.slice(0, 8)}
          </button>
        ) : (
          <span className="mlops-RunItem-name" title={info.run_id}>
            {info.run_name || info.run_id.slice(0, 8)}
          </span>
        )}
        {show('status') && (
          <StatusBadge
            status={info.status}
            label={statusLabel(info.status, trans)}
          />
        )}
      </div>
      <div className="mlops-RunItem-meta">
        {show('start_time') && (
          <span title={new Date(info.start_time).toLocaleString()}>
            {formatRelativeTime(info.start_time, now)}
          </span>
        )}
        {show('duration') && (
          <span title={trans.__('Duration')}>
            {formatDuration(runDuration(info, now))}
          </span>
        )}
        {show('user') && info.user && <span>{info.user}</span>}
      </div>
      {(metricKeys.length > 0 || paramKeys.length > 0) && (
        <dl className="mlops-RunItem-values">
          {metricKeys.map(key => {
            const metric = run.metrics[key];
            return (
              <div
                key={`m-${key}`}
                className="mlops-RunItem-value"
                title={trans.__(
                  '%1 at step %2 (min %3, max %4)',
                  key,
                  metric.step,
                  formatMetricValue(metric.min),
                  formatMetricValue(metric.max)
                )}
              >
                <dt>{key}</dt>
                <dd>{formatMetricValue(metric.value)}</dd>
              </div>
            );
          })}
          {paramKeys.map(key => (
            <div key={`p-${key}`} className="mlops-RunItem-value">
              <dt>{key}</dt>
              <dd>{run.params[key]}</dd>
            </div>
          ))}
        </dl>
      )}
    </li>
  );
}

function statusLabel(status: string, trans: TranslationBundle): string {
  switch (status) {
    case 'RUNNING':
      return trans.__('Running');
    case 'SCHEDULED':
      return trans.__('Scheduled');
    case 'FINISHED':
      return trans.__('Finished');
    case 'FAILED':
      return trans.__('Failed');
    case 'KILLED':
      return trans.__('Killed');
    default:
      return status;
  }
}
