import * as React from 'react';

import { IStepRun, PipelinesApi, stateClass } from './api';

export interface IStepDetailsProps {
  api: PipelinesApi;
  runId: string;
  step: IStepRun;
  onOpenTrackingRun?: (runId: string) => void;
}

const LOG_POLL_MS = 1000;

/**
 * One step: its log (streamed with the server's `since` cursor while the step
 * runs), inputs, outputs, cache status and tracking run.
 */
export function StepDetails(props: IStepDetailsProps): JSX.Element {
  const { api, runId, step, onOpenTrackingRun } = props;
  const [log, setLog] = React.useState('');
  const [error, setError] = React.useState<string | null>(null);

  React.useEffect(() => {
    let cancelled = false;
    let since = 0;
    let timer: number | undefined;
    setLog('');
    setError(null);
    const poll = async (): Promise<void> => {
      try {
        const chunk = await api.logs(runId, step.step_id, since);
        if (cancelled) {
          return;
        }
        if (chunk.text) {
          setLog(previous => previous + chunk.text);
        }
        const moved = chunk.next !== since;
        since = chunk.next;
        if (!chunk.complete || moved) {
          timer = window.setTimeout(() => void poll(), moved ? 0 : LOG_POLL_MS);
        }
      } catch (reason) {
        if (!cancelled) {
          setError(String((reason as Error).message ?? reason));
        }
      }
    };
    void poll();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [api, runId, step.step_id, step.attempt]);

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
