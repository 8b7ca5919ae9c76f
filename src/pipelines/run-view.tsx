import * as React from 'react';

import { FINAL_RUN_STATES, PipelinesApi, stateClass } from './api';
import { DagView } from './dag-view';
import { layoutRun } from './layout';
import { StepDetails } from './step-details';
import { usePipelineRun } from './use-pipeline-run';

export interface IRunViewProps {
  api: PipelinesApi;
  runId: string;
  onOpenTrackingRun?: (runId: string) => void;
}

/**
 * A pipeline run: state, Cancel and Retry, its DAG (polled while the run is not
 * over) and the selected step's details.
 */
export function RunView(props: IRunViewProps): JSX.Element {
  const { api, runId, onOpenTrackingRun } = props;
  const { run, error, act } = usePipelineRun(api, runId);
  const [selected, setSelected] = React.useState<string | null>(null);

  if (!run || !run.spec) {
    return (
      <div className="jp-mlops-pipeline-run">
        {error ? <div className="jp-mlops-error">{error}</div> : 'Loading…'}
      </div>
    );
  }
  const steps = run.steps ?? [];
  const layout = layoutRun(run.spec, steps);
  const step = steps.find(s => s.step_id === selected) ?? null;
  const final = FINAL_RUN_STATES.has(run.state);
  return (
    <div className="jp-mlops-pipeline-run" data-run-id={run.run_id}>
      <div className="jp-mlops-pipeline-run-header">
        <h2>
          {run.name}{' '}
          <span
            className={`jp-mlops-state jp-mlops-run-state ${stateClass(run.state)}`}
          >
            {run.state}
          </span>
        </h2>
        <span className="jp-mlops-pipeline-run-meta">
          {run.run_id.slice(0, 8)} · {run.backend} · attempt {run.attempt}
        </span>
        <button
          className="jp-mlops-button jp-mlops-cancel"
          disabled={final}
          onClick={() => void act('cancel')}
        >
          Cancel
        </button>
        <button
          className="jp-mlops-button jp-mlops-retry"
          disabled={!(run.state === 'FAILED' || run.state === 'CANCELED')}
          onClick={() => void act('retry')}
        >
          Retry from failure
        </button>
      </div>
      {run.message && <p className="jp-mlops-step-message">{run.message}</p>}
      {error && <div className="jp-mlops-error">{error}</div>}
      <div className="jp-mlops-pipeline-run-body">
        <div className="jp-mlops-dag-scroll">
          <DagView layout={layout} selected={selected} onSelect={setSelected} />
        </div>
        {step && (
          <StepDetails
            api={api}
            runId={run.run_id}
            step={step}
            onOpenTrackingRun={onOpenTrackingRun}
          />
        )}
      </div>
    </div>
  );
}
