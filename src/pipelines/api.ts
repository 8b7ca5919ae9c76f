import { RestClient, segment } from '../request';

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
  schedule_id?: string | null;
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

/**
 * What a schedule does while its last run still runs when it is due again:
 * `skip` starts no run, `queue` starts it once that run ends.
 */
export type SchedulePolicy = 'skip' | 'queue';

export const SCHEDULE_POLICIES: readonly SchedulePolicy[] = ['skip', 'queue'];

/**
 * A recurring run of a pipeline (`mlops/api/pipeline-schedules`); times in
 * milliseconds since the epoch, `cron` in UTC.
 */
export interface IPipelineSchedule {
  schedule_id: string;
  name: string;
  owner: string;
  cron: string;
  pipeline_name: string;
  arguments: Record<string, unknown>;
  backend: string;
  policy: SchedulePolicy;
  enabled: boolean;
  queued: number;
  next_fire_time: number;
  last_run_id: string | null;
  created_time: number;
}

/**
 * How to repeat a run: the fields of the form's Schedule mode.
 */
export interface IScheduleOptions {
  cron: string;
  policy: SchedulePolicy;
  name?: string;
}

/**
 * Typed calls of the pipelines REST API (`mlops/api/pipeline-runs`,
 * `pipelines`, `pipeline-schedules`); errors propagate as `ApiError`.
 */
export class PipelinesApi extends RestClient {
  async listRuns(maxResults = 50): Promise<IPipelineRun[]> {
    const answer = await this._get<{ runs: IPipelineRun[] }>('pipeline-runs', {
      max_results: maxResults
    });
    return answer.runs;
  }

  async getRun(runId: string): Promise<IPipelineRun> {
    const answer = await this._get<{ run: IPipelineRun }>(
      `pipeline-runs/${segment(runId)}`
    );
    return answer.run;
  }

  async submit(
    pipelineId: string,
    args: Record<string, unknown>
  ): Promise<IPipelineRun> {
    const answer = await this._send<{ run: IPipelineRun }>(
      'POST',
      'pipeline-runs',
      { pipeline_id: pipelineId, arguments: args }
    );
    return answer.run;
  }

  async cancel(runId: string): Promise<IPipelineRun> {
    const answer = await this._send<{ run: IPipelineRun }>(
      'POST',
      `pipeline-runs/${segment(runId)}/cancel`,
      {}
    );
    return answer.run;
  }

  async retry(runId: string): Promise<IPipelineRun> {
    const answer = await this._send<{ run: IPipelineRun }>(
      'POST',
      `pipeline-runs/${segment(runId)}/retry`,
      {}
    );
    return answer.run;
  }

  async logs(runId: string, stepId: string, since: number): Promise<ILogChunk> {
    return this._get<ILogChunk>(
      `pipeline-runs/${segment(runId)}/steps/${segment(stepId)}/logs`,
      { since }
    );
  }

  async listPipelines(): Promise<ISavedPipeline[]> {
    const answer = await this._get<{ pipelines: ISavedPipeline[] }>(
      'pipelines'
    );
    return answer.pipelines;
  }

  async getPipeline(pipelineId: string): Promise<ISavedPipeline> {
    const answer = await this._get<{ pipeline: ISavedPipeline }>(
      `pipelines/${segment(pipelineId)}`
    );
    return answer.pipeline;
  }

  async compileFile(path: string): Promise<ISavedPipeline[]> {
    const answer = await this._send<{ pipelines: ISavedPipeline[] }>(
      'POST',
      'pipelines/compile',
      { path }
    );
    return answer.pipelines;
  }

  // -- schedules ------------------------------------------------------------------

  async listSchedules(): Promise<IPipelineSchedule[]> {
    const answer = await this._get<{ schedules: IPipelineSchedule[] }>(
      'pipeline-schedules'
    );
    return answer.schedules;
  }

  /**
   * Run a saved pipeline with `args` at every fire time of `options.cron`.
   */
  async createSchedule(
    pipelineId: string,
    args: Record<string, unknown>,
    options: IScheduleOptions
  ): Promise<IPipelineSchedule> {
    const answer = await this._send<{ schedule: IPipelineSchedule }>(
      'POST',
      'pipeline-schedules',
      {
        pipeline_id: pipelineId,
        arguments: args,
        cron: options.cron,
        policy: options.policy,
        name: options.name || undefined
      }
    );
    return answer.schedule;
  }

  /**
   * Pause (`false`) or resume (`true`) a schedule.
   */
  async setScheduleEnabled(
    scheduleId: string,
    enabled: boolean
  ): Promise<IPipelineSchedule> {
    const answer = await this._send<{ schedule: IPipelineSchedule }>(
      'PATCH',
      `pipeline-schedules/${segment(scheduleId)}`,
      { enabled }
    );
    return answer.schedule;
  }

  async deleteSchedule(scheduleId: string): Promise<void> {
    await this._send<void>(
      'DELETE',
      `pipeline-schedules/${segment(scheduleId)}`
    );
  }
}
