import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { RunItem } from './run-item';

export interface IRunListProps {
  runs: IRun[] | null;
  columns: readonly string[];
  now: number;
  onOpenRun?: (runId: string) => void;
  trans: TranslationBundle;
}

/**
 * The most recent runs of the selected experiment, newest first.
 */
export function RunList(props: IRunListProps): JSX.Element {
  const { runs, columns, now, trans } = props;
  if (runs === null) {
    return <div className="mlops-Placeholder">{trans.__('Loading runs…')}</div>;
  }
  if (runs.length === 0) {
    return (
      <div className="mlops-Placeholder">
        {trans.__('No runs in this experiment yet.')}
      </div>
    );
  }
  return (
    <ul className="mlops-RunList" aria-label={trans.__('Runs')}>
      {runs.map(run => (
        <RunItem
          key={run.info.run_id}
          run={run}
          columns={columns}
          now={now}
          onOpen={props.onOpenRun}
          trans={trans}
        />
      ))}
    </ul>
  );
}
