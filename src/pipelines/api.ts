import { ServerConnection } from '@jupyterlab/services';

import { queryString, requestAPI } from '../request';

/**
 * States of pipeline runs and steps, as the server names them.
 */
export type RunState =
  'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELING' | 'CANCELED';
export type StepState =
  | 'PENDING'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'SKIPPED'
  | 'NOT_TRIGGERED'
  | 'CANCELED';

/**
 * The CSS class of a run or step state: `jp-mlops-step-not-triggered`.
 */
export function stateClass(state: string): string {
  return `jp-mlops-step-${state.toLowerCase().replace(/_/g, '-')}`;
}

export const FINAL_RUN_STATES: ReadonlySet<string> = new Set([
  'SUCCEEDED',
  'FAILED',
  'CANCELED'
]);

export interface IParameterDefinition {
  parameterType: string;
  defaultValue?: unknown;
  isOptional?: boolean;
}

export interface ITaskSpec {
  componentRef: { name: string };
  dependentTasks?: string[];
  iterator?: string;
  triggerPolicy?: { condition?: string };
}

export interface IPipelineSpec {
  pipelineInfo: { name: string; description?: string };
  root: {
    inputDefinitions?: {
      parameters?: Record<string, IParameterDefinition>;
    };
    dag: { tasks: Record<string, ITaskSpec> };
  };
}

export interface IStepRun {
  step_id: string;
  task: string;
  iteration: number | null;
  state: StepState;
  message: string;
  attempt: number;
  cached: boolean;
  cached_from: string | null;
  tracking_run_id: string | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  start_time: number | null;
  end_time: number | null;
}

export interface IPipelineRun {
  run_id: string;
  name: string;
  owner: string;
  state: RunState;
  message: string;
  backend: string;
  arguments: Record<string, unknown>;
  outputs: Record<string, unknown>;
  tracking_run_id: string | null;
  attempt: number;
  created_time: number;
  start_time: number | null;
  end_time: number | null;
  spec?: IPipelineSpec;
  steps?: IStepRun[];
}

export interface ISavedPipeline {
  pipeline_id: string;
  name: string;
  owner: string;
  description: string;
  source_path: string | null;
  updated_time: number;
  spec?: IPipelineSpec;
}

export interface ILogChunk {
  text: string;
  next: number;
  complete: boolean;
  state: StepState;
}

const json = (method: string, body: unknown = {}): RequestInit => ({
  method,
  body: JSON.stringify(body)
});

/**
 * Typed calls of the pipelines REST API (`mlops/api/pipeline-runs`, `pipelines`).
 */
export class PipelinesApi {
  constructor(
    readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  async listRuns(maxResults = 50): Promise<IPipelineRun[]> {
    const answer = await requestAPI<{ runs: IPipelineRun[] }>(
      `pipeline-runs${queryString({ max_results: maxResults })}`,
      {},
      this.settings
    );
    return answer.runs;
  }

  async getRun(runId: string): Promise<IPipelineRun> {
    const answer = await requestAPI<{ run: IPipelineRun }>(
      `pipeline-runs/${encodeURIComponent(runId)}`,
      {},
      this.settings
    );
    return answer.run;
  }

  async submit(
    pipelineId: string,
    args: Record<string, unknown>
  ): Promise<IPipelineRun> {
    const answer = await requestAPI<{ run: IPipelineRun }>(
      'pipeline-runs',
      json('POST', { pipeline_id: pipelineId, arguments: args }),
      this.settings
    );
    return answer.run;
  }

  async cancel(runId: string): Promise<IPipelineRun> {
    const answer = await requestAPI<{ run: IPipelineRun }>(
      `pipeline-runs/${encodeURIComponent(runId)}/cancel`,
      json('POST'),
      this.settings
    );
    return answer.run;
  }

  async retry(runId: string): Promise<IPipelineRun> {
    const answer = await requestAPI<{ run: IPipelineRun }>(
      `pipeline-runs/${encodeURIComponent(runId)}/retry`,
      json('POST'),
      this.settings
    );
    return answer.run;
  }

  async logs(runId: string, stepId: string, since: number): Promise<ILogChunk> {
    return requestAPI<ILogChunk>(
      `pipeline-runs/${encodeURIComponent(runId)}/steps/${encodeURIComponent(
        stepId
      )}/logs${queryString({ since })}`,
      {},
      this.settings
    );
  }

  async listPipelines(): Promise<ISavedPipeline[]> {
    const answer = await requestAPI<{ pipelines: ISavedPipeline[] }>(
      'pipelines',
      {},
      this.settings
    );
    return answer.pipelines;
  }

  async getPipeline(pipelineId: string): Promise<ISavedPipeline> {
    const answer = await requestAPI<{ pipeline: ISavedPipeline }>(
      `pipelines/${encodeURIComponent(pipelineId)}`,
      {},
      this.settings
    );
    return answer.pipeline;
  }

  async compileFile(path: string): Promise<ISavedPipeline[]> {
    const answer = await requestAPI<{ pipelines: ISavedPipeline[] }>(
      'pipelines/compile',
      json('POST', { path }),
      this.settings
    );
    return answer.pipelines;
  }
}
