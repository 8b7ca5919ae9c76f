import * as React from 'react';

import { IPipelineRun, ISavedPipeline, PipelinesApi, stateClass } from './api';
import { SubmitForm } from './submit-form';

export interface IPipelinesSidebarProps {
  api: PipelinesApi;
  openRun: (runId: string) => void;
  /** Show the schedules (after one was created here, too). */
  openSchedules: () => void;
}

const LIST_POLL_MS = 3000;

/**
 * The Pipelines panel: load a pipeline file, run a pipeline now or on a
 * schedule from a form made of its parameters, and follow recent runs.
 */
export function PipelinesSidebar(props: IPipelinesSidebarProps): JSX.Element {
  const { api, openRun, openSchedules } = props;
  const [pipelines, setPipelines] = React.useState<ISavedPipeline[]>([]);
  const [runs, setRuns] = React.useState<IPipelineRun[]>([]);
  const [path, setPath] = React.useState('');
  const [open, setOpen] = React.useState<ISavedPipeline | null>(null);
  const [error, setError] = React.useState<string | null>(null);

  const refresh = React.useCallback(async () => {
    try {
      const [p, r] = await Promise.all([api.listPipelines(), api.listRuns(30)]);
      setPipelines(p);
      setRuns(r);
      setError(null);
    } catch (reason) {
      setError(String((reason as Error).message ?? reason));
    }
  }, [api]);

  React.useEffect(() => {
    void refresh();
    const timer = window.setInterval(() => void refresh(), LIST_POLL_MS);
    return () => window.clearInterval(timer);
  }, [refresh]);

  const load = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    try {
      const found = await api.compileFile(path);
      setError(null);
      await refresh();
      if (found.length > 0) {
        setOpen(found[0]);
      }
    } catch (reason) {
      setError(String((reason as Error).message ?? reason));
    }
  };

  const choose = async (pipeline: ISavedPipeline): Promise<void> => {
    try {
      setOpen(await api.getPipeline(pipeline.pipeline_id));
    } catch (reason) {
      setError(String((reason as Error).message ?? reason));
    }
  };

  return (
    <div className="jp-mlops-pipelines">
      <div className="jp-mlops-pipelines-header">
        <h2>Pipelines</h2>
        <button
          className="jp-mlops-button jp-mlops-open-schedules"
          title="Recurring runs: list, pause, resume, delete"
          onClick={openSchedules}
        >
          Schedules
        </button>
      </div>
      <form className="jp-mlops-load-pipeline" onSubmit={e => void load(e)}>
        <input
          placeholder="pipeline file (.py or .ipynb)"
          aria-label="Pipeline file"
          value={path}
          onChange={e => setPath(e.target.value)}
        />
        <button type="submit" className="jp-mlops-button jp-mlops-load">
          Load
        </button>
      </form>
      {error && <div className="jp-mlops-error">{error}</div>}
      <ul className="jp-mlops-pipeline-list">
        {pipelines.map(pipeline => (
          <li key={pipeline.pipeline_id}>
            <button
              className="jp-mlops-link jp-mlops-pipeline-name"
              onClick={() => void choose(pipeline)}
              title={pipeline.description || pipeline.source_path || ''}
            >
              {pipeline.name}
            </button>
            {open?.pipeline_id === pipeline.pipeline_id && open.spec && (
              <SubmitForm
                pipeline={open}
                onSubmit={async args => {
                  const run = await api.submit(pipeline.pipeline_id, args);
                  setOpen(null);
                  await refresh();
                  openRun(run.run_id);
                }}
                onSchedule={async (args, options) => {
                  await api.createSchedule(pipeline.pipeline_id, args, options);
                  setOpen(null);
                  openSchedules();
                }}
              />
            )}
          </li>
        ))}
      </ul>
      <h3>Runs</h3>
      <ul className="jp-mlops-pipeline-runs">
        {runs.map(run => (
          <li key={run.run_id} data-run-id={run.run_id}>
            <button
              className="jp-mlops-link"
              onClick={() => openRun(run.run_id)}
            >
              {run.name} · {run.run_id.slice(0, 8)}
            </button>{' '}
            <span className={`jp-mlops-state ${stateClass(run.state)}`}>
              {run.state}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
