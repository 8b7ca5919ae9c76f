import * as React from 'react';

import {
  FINAL_RUN_STATES,
  IPipelineRun,
  PipelinesApi,
  stateClass
} from './api';
import { DagView } from './dag-view';
import { layoutRun } from './layout';
import { StepDetails } from './step-details';

export interface IRunViewProps {
  api: PipelinesApi;
  runId: string;
  onOpenTrackingRun?: (runId: string) => void;
}

const RUN_POLL_MS = 1000;

/**
 * A pipeline run: state, Cancel and Retry, its DAG (polled while the run is not
 * over) and the selected step's details.
 */
export function RunView(props: IRunViewProps): JSX.Element {
  const { api, runId, onOpenTrackingRun } = props;
  const [run, setRun] = React.useState<IPipelineRun | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [selected, setSelected] = React.useState<string | null>(null);
  const [generation, setGeneration] = React.useState(0);

  React.useEffect(() => {
    let cancelled = false;
    let timer: number | undefined;
    const poll = async (): Promise<void> => {
      try {
        const current = await api.getRun(runId);
        if (cancelled) {
          return;
        }
        setRun(current);
        setError(null);
        if (!FINAL_RUN_STATES.has(current.state)) {
          timer = window.setTimeout(() => void poll(), RUN_POLL_MS);
        }
      } catch (reason) {
        if (!cancelled) {
          setError(String((reason as Error).message ?? reason));
          timer = window.setTimeout(() => void poll(), RUN_POLL_MS * 3);
        }
      }
    };
    void poll();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [api, runId, generation]);

  const act = async (action: 'cancel' | 'retry'): Promise<void> => {
    try {
      setRun(
        await (action === 'cancel' ? api.cancel(runId) : api.retry(runId))
      );
      setGeneration(g => g + 1);
    } catch (reason) {
      setError(String((reason as Error).message ?? reason));
    }
  };

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
