import * as React from 'react';

import type { ISavedPipeline, PipelinesApi } from './api';
import { LoadPipelineForm } from './load-pipeline-form';
import { RecentPipelineRuns } from './recent-pipeline-runs';
import { SubmitForm } from './submit-form';
import { usePipelinesList } from './use-pipelines-list';

export interface IPipelinesSidebarProps {
  api: PipelinesApi;
  openRun: (runId: string) => void;
  /** Show the schedules (after one was created here, too). */
  openSchedules: () => void;
}

/**
 * The Pipelines panel: load a pipeline file, run a pipeline now or on a
 * schedule from a form made of its parameters, and follow recent runs.
 */
export function PipelinesSidebar(props: IPipelinesSidebarProps): JSX.Element {
  const { api, openRun, openSchedules } = props;
  const { pipelines, runs, error, setError, refresh } = usePipelinesList(api);
  const [open, setOpen] = React.useState<ISavedPipeline | null>(null);

  const load = async (path: string): Promise<void> => {
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
      <LoadPipelineForm onLoad={load} />
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
      <RecentPipelineRuns runs={runs} openRun={openRun} />
    </div>
  );
}
