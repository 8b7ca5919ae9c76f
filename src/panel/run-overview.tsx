import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { StatusBadge } from '../components/status-badge';
import { formatDuration, runDuration } from '../format';
import { formatTimestamp } from './cell-format';
import { RunLink } from './run-family';
import { RunMetricsTable } from './run-metrics-table';
import { RunParamsTable } from './run-params-table';

/** Tags MLflow (and our notebook tools) use for where a run came from. */
export const SOURCE_TAGS = ['mlflow.source.name', 'mlops.source.notebook'];
export const GIT_COMMIT_TAG = 'mlflow.source.git.commit';
/** Why a run ended, when it did not end on its own ("heartbeat lost", "SIGTERM"). */
export const END_REASON_TAG = 'mlops.end_reason';

/** "Killed: heartbeat lost" for a run with an end reason, else `null`. */
export function endReason(run: IRun): string | null {
  const reason = run.tags[END_REASON_TAG];
  if (!reason) {
    return null;
  }
  const status = run.info.status.toLowerCase();
  return `${status.charAt(0).toUpperCase()}${status.slice(1)}: ${reason}`;
}

/**
 * The notebook a run came from, as a path JupyterLab can open (relative to
 * the server root), or `null` when the source is not a notebook.
 */
export function sourceNotebook(tags: Record<string, string>): string | null {
  for (const key of SOURCE_TAGS) {
    const value = tags[key];
    if (value && /\.ipynb$/i.test(value)) {
      return value.replace(/^\/+/, '');
    }
  }
  return null;
}

export interface IRunOverviewProps {
  run: IRun;
  experimentName: string | null;
  /** The parent run, once read; until then its id links to it. */
  parent?: IRun | null;
  now: number;
  onOpenNotebook: (path: string) => void;
  onOpenRun: (runId: string) => void;
  trans: TranslationBundle;
}

/** What a run is: status, times, who, where from; then its params and metrics. */
export function RunOverview(props: IRunOverviewProps): JSX.Element {
  const { run, now, trans } = props;
  const info = run.info;
  const notebook = sourceNotebook(run.tags);
  const source = SOURCE_TAGS.map(k => run.tags[k]).find(Boolean);
  const commit = run.tags[GIT_COMMIT_TAG];
  const reason = endReason(run);
  return (
    <div className="mlops-RunOverview">
      <dl className="mlops-RunOverview-attributes">
        <dt>{trans.__('Status')}</dt>
        <dd>
          <StatusBadge status={info.status} label={info.status.toLowerCase()} />
          {reason && (
            <span className="mlops-RunOverview-endReason"> {reason}</span>
          )}
        </dd>
        <dt>{trans.__('Run id')}</dt>
        <dd className="mlops-Code">{info.run_id}</dd>
        <dt>{trans.__('Experiment')}</dt>
        <dd>{props.experimentName ?? info.experiment_id}</dd>
        <dt>{trans.__('User')}</dt>
        <dd>{info.user || '—'}</dd>
        <dt>{trans.__('Started')}</dt>
        <dd>{info.start_time ? formatTimestamp(info.start_time) : '—'}</dd>
        <dt>{trans.__('Ended')}</dt>
        <dd>{info.end_time ? formatTimestamp(info.end_time) : '—'}</dd>
        <dt>{trans.__('Duration')}</dt>
        <dd className="mlops-RunOverview-duration">
          {formatDuration(runDuration(info, now))}
        </dd>
        <dt>{trans.__('Source')}</dt>
        <dd>
          {notebook ? (
            <button
              type="button"
              className="mlops-LinkButton mlops-RunOverview-notebook"
              title={trans.__('Open %1 in JupyterLab', notebook)}
              onClick={() => props.onOpenNotebook(notebook)}
            >
              {notebook}
            </button>
          ) : (
            (source ?? '—')
          )}
        </dd>
        <dt>{trans.__('Git commit')}</dt>
        <dd className="mlops-Code">{commit ? commit.slice(0, 12) : '—'}</dd>
        {info.parent_run_id && (
          <>
            <dt>{trans.__('Parent run')}</dt>
            <dd>
              {props.parent ? (
                <RunLink
                  run={props.parent}
                  onOpenRun={props.onOpenRun}
                  className="mlops-RunFamily-parent"
                />
              ) : (
                <button
                  type="button"
                  className="mlops-LinkButton mlops-RunFamily-parent"
                  title={info.parent_run_id}
                  onClick={() => props.onOpenRun(info.parent_run_id!)}
                >
                  {info.parent_run_id.slice(0, 8)}
                </button>
              )}
            </dd>
          </>
        )}
      </dl>
      <RunParamsTable params={run.params} trans={trans} />
      <RunMetricsTable metrics={run.metrics} trans={trans} />
    </div>
  );
}
