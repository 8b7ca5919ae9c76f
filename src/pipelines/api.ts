import { CallResult, RestClient, Schemas } from '../rest-client';

/**
 * States of pipeline runs and steps, as the server names them.
 */
export type RunState = Schemas['PipelineRunState'];
export type StepState = Schemas['PipelineStepState'];

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

/** A step of a pipeline run (or one iteration of a looped step). */
export type IStepRun = Schemas['PipelineStep'];

/**
 * A pipeline run; its `spec` (in the answer of `getRun`) read as the pipeline
 * spec document, which the OpenAPI document leaves an open object.
 */
export interface IPipelineRun extends Omit<Schemas['PipelineRun'], 'spec'> {
  spec?: IPipelineSpec;
}

/** A saved pipeline, with its spec read as in `IPipelineRun`. */
export interface ISavedPipeline extends Omit<Schemas['SavedPipeline'], 'spec'> {
  spec?: IPipelineSpec;
}

/** A chunk of a step's log, from a byte offset to `next`. */
export type ILogChunk = CallResult<'getPipelineStepLogs'>;

/**
 * What a schedule does while its last run still runs when it is due again:
 * `skip` starts no run, `queue` starts it once that run ends.
 */
export type SchedulePolicy = NonNullable<Schemas['PipelineSchedule']['policy']>;

export const SCHEDULE_POLICIES: readonly SchedulePolicy[] = ['skip', 'queue'];

/**
 * A recurring run of a pipeline (`mlops/api/pipeline-schedules`); times in
 * milliseconds since the epoch, `cron` in UTC.
 */
export type IPipelineSchedule = Schemas['PipelineSchedule'];

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
    const answer = await this.call('listPipelineRuns', {
      query: { max_results: maxResults }
    });
    return answer.runs as IPipelineRun[];
  }

  async getRun(runId: string): Promise<IPipelineRun> {
    const answer = await this.call('getPipelineRun', {
      path: { run_id: runId }
    });
    return answer.run as IPipelineRun;
  }

  async submit(
    pipelineId: string,
    args: Record<string, unknown>
  ): Promise<IPipelineRun> {
    const answer = await this.call('submitPipelineRun', {
      body: { pipeline_id: pipelineId, arguments: args }
    });
    return answer.run as IPipelineRun;
  }

  async cancel(runId: string): Promise<IPipelineRun> {
    const answer = await this.call('cancelPipelineRun', {
      path: { run_id: runId }
    });
    return answer.run as IPipelineRun;
  }

  async retry(runId: string): Promise<IPipelineRun> {
    const answer = await this.call('retryPipelineRun', {
      path: { run_id: runId }
    });
    return answer.run as IPipelineRun;
  }

  async logs(runId: string, stepId: string, since: number): Promise<ILogChunk> {
    return this.call('getPipelineStepLogs', {
      path: { run_id: runId, step_id: stepId },
      query: { since }
    });
  }

  async listPipelines(): Promise<ISavedPipeline[]> {
    const answer = await this.call('listPipelines');
    return answer.pipelines as ISavedPipeline[];
  }

  async getPipeline(pipelineId: string): Promise<ISavedPipeline> {
    const answer = await this.call('getPipeline', {
      path: { pipeline_id: pipelineId }
    });
    return answer.pipeline as ISavedPipeline;
  }

  async compileFile(path: string): Promise<ISavedPipeline[]> {
    const answer = await this.call('compilePipelineFile', { body: { path } });
    return answer.pipelines as ISavedPipeline[];
  }

  // -- schedules ------------------------------------------------------------------

  async listSchedules(): Promise<IPipelineSchedule[]> {
    const answer = await this.call('listPipelineSchedules');
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
    const answer = await this.call('createPipelineSchedule', {
      body: {
        pipeline_id: pipelineId,
        arguments: args,
        cron: options.cron,
        policy: options.policy,
        name: options.name || undefined
      }
    });
    return answer.schedule;
  }

  /**
   * Pause (`false`) or resume (`true`) a schedule.
   */
  async setScheduleEnabled(
    scheduleId: string,
    enabled: boolean
  ): Promise<IPipelineSchedule> {
    const answer = await this.call('updatePipelineSchedule', {
      path: { schedule_id: scheduleId },
      body: { enabled }
    });
    return answer.schedule;
  }

  async deleteSchedule(scheduleId: string): Promise<void> {
    await this.call('deletePipelineSchedule', {
      path: { schedule_id: scheduleId }
    });
  }
}
