import * as React from 'react';

import { IStepRun, PipelinesApi, stateClass } from './api';
import { useStepLog } from './use-step-log';

export interface IStepDetailsProps {
  api: PipelinesApi;
  runId: string;
  step: IStepRun;
  onOpenTrackingRun?: (runId: string) => void;
}

/**
 * One step: its log (streamed with the server's `since` cursor while the step
 * runs), inputs, outputs, cache status and tracking run.
 */
export function StepDetails(props: IStepDetailsProps): JSX.Element {
  const { api, runId, step, onOpenTrackingRun } = props;
  const { log, error } = useStepLog(api, runId, step);

  return (
    <div className="jp-mlops-step-details" data-step-id={step.step_id}>
      <h3>
        {step.step_id}{' '}
        <span className={`jp-mlops-state ${stateClass(step.state)}`}>
          {step.state}
        </span>
      </h3>
      {step.message && <p className="jp-mlops-step-message">{step.message}</p>}
      <dl>
        <dt>Cache</dt>
        <dd className="jp-mlops-step-cache">
          {step.cached
            ? `cached (outputs of run ${(step.cached_from ?? '').slice(0, 8)})`
            : 'executed'}
        </dd>
        <dt>Attempt</dt>
        <dd>{step.attempt}</dd>
        <dt>Tracking run</dt>
        <dd>
          {step.tracking_run_id ? (
            <button
              className="jp-mlops-link"
              onClick={() =>
                onOpenTrackingRun?.(step.tracking_run_id as string)
              }
            >
              {step.tracking_run_id.slice(0, 8)}
            </button>
          ) : (
            '-'
          )}
        </dd>
      </dl>
      <h4>Inputs</h4>
      <pre className="jp-mlops-step-inputs">
        {JSON.stringify(step.inputs, null, 2)}
      </pre>
      <h4>Outputs</h4>
      <pre className="jp-mlops-step-outputs">
        {JSON.stringify(step.outputs, null, 2)}
      </pre>
      <h4>Log</h4>
      {error && <div className="jp-mlops-error">{error}</div>}
      <pre className="jp-mlops-step-log">{log}</pre>
    </div>
  );
}
