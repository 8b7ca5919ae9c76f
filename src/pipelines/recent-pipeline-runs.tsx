import * as React from 'react';

import { IPipelineRun, stateClass } from './api';

/** The most recent pipeline runs with their states, each opening its view. */
export function RecentPipelineRuns(props: {
  runs: IPipelineRun[];
  openRun: (runId: string) => void;
}): JSX.Element {
  return (
    <>
      <h3>Runs</h3>
      <ul className="jp-mlops-pipeline-runs">
        {props.runs.map(run => (
          <li key={run.run_id} data-run-id={run.run_id}>
            <button
              className="jp-mlops-link"
              onClick={() => props.openRun(run.run_id)}
            >
              {run.name} · {run.run_id.slice(0, 8)}
            </button>{' '}
            <span className={`jp-mlops-state ${stateClass(run.state)}`}>
              {run.state}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}
