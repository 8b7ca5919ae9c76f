import { fetchAPI } from './request';
import { IPage, pageOf, RestClient, Schemas } from './rest-client';

export type { IPage } from './rest-client';

/**
 * A float as the server sends it: a JSON number, or one of the proto3 JSON
 * strings for values JSON cannot hold.
 */
export type WireFloat = Schemas['Float'];

export type RunStatus = Schemas['RunStatus'];

export type LifecycleStage = Schemas['LifecycleStage'];

export type ViewType = Schemas['ViewType'];

/** An experiment. Times are milliseconds since the epoch. */
export type IExperiment = Schemas['Experiment'];

/** A run's info; `end_time` is `null` while the run is running. */
export type IRunInfo = Schemas['RunInfo'];

/**
 * The latest value of a metric, with the extremes over its whole history.
 * Values are decoded: NaN and infinities are real numbers here.
 */
export interface IMetricSummary extends Omit<
  Schemas['MetricSummary'],
  'value' | 'min' | 'max'
> {
  value: number;
  min: number;
  max: number;
}

/** A dataset of an experiment, one per (name, digest) there. */
export type IDataset = Schemas['Dataset'];

/** A dataset a run used; `context` is its `mlflow.data.context` tag. */
export type IDatasetInput = Schemas['DatasetInput'];

/** A logged model a run used or produced. */
export type ILoggedModelRef = Schemas['LoggedModelRef'];

/** A run, its metric values decoded. */
export interface IRun extends Omit<Schemas['Run'], 'metrics'> {
  metrics: Record<string, IMetricSummary>;
}

export interface IListExperimentsOptions {
  view?: ViewType;
  /** Case-insensitive SQL LIKE pattern. */
  nameLike?: string;
  maxResults?: number;
  pageToken?: string;
}

export interface ISearchRunsOptions {
  experimentIds?: readonly string[];
  /** Filter text, e.g. `metrics.loss < 0.3 AND params.opt = 'adam'`. */
  filter?: string;
  /** e.g. `['metrics.loss ASC']`; the server defaults to newest first. */
  orderBy?: readonly string[];
  view?: ViewType;
  maxResults?: number;
  pageToken?: string;
}

export interface ICreateRunOptions {
  experimentId?: string;
  runName?: string;
  startTime?: number;
  tags?: Record<string, string>;
  parentRunId?: string;
}

export interface IUpdateRunOptions {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

/** A metric to log; `value` may be NaN or infinite (it is encoded on the way). */
export interface IMetricInput extends Omit<Schemas['MetricInput'], 'value'> {
  value: number;
}

export interface ILogBatchOptions {
  metrics?: readonly IMetricInput[];
  params?: Record<string, string>;
  tags?: Record<string, string>;
}

/** A point of a metric's history, or a bucket of points (with min, max, count). */
export interface IMetricPoint {
  step: number;
  timestamp: number;
  value: number;
  /** Present when the history was downsampled into buckets. */
  min?: number;
  max?: number;
  count?: number;
}

/** A file or folder in a run's artifacts; `path` is relative to the run's root. */
export type IArtifactFile = Schemas['FileInfo'];

/** A metric's history, its values decoded. */
export interface IMetricHistory extends Omit<
  Schemas['MetricHistory'],
  'points'
> {
  points: IMetricPoint[];
}

/**
 * Decode a float sent in the proto3 JSON mapping; `null` (an extreme of a
 * history with no finite value) is NaN.
 */
export function decodeFloat(value: WireFloat | string | null): number {
  if (value === null) {
    return NaN;
  }
  if (typeof value === 'number') {
    return value;
  }
  switch (value) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    default:
      return Number(value);
  }
}

/**
 * Encode a float for a request: JSON has no NaN or infinities.
 */
export function encodeFloat(value: number): WireFloat {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (value === Infinity) {
    return 'Infinity';
  }
  if (value === -Infinity) {
    return '-Infinity';
  }
  return value;
}

type WireMetricPoint = Schemas['MetricPoint'] | Schemas['MetricBucket'];

function decodeRun(run: Schemas['Run']): IRun {
  const metrics: Record<string, IMetricSummary> = {};
  for (const [key, metric] of Object.entries(run.metrics ?? {})) {
    metrics[key] = {
      ...metric,
      value: decodeFloat(metric.value),
      min: decodeFloat(metric.min),
      max: decodeFloat(metric.max)
    };
  }
  return { ...run, metrics };
}

function decodePoint(point: WireMetricPoint): IMetricPoint {
  const { step, timestamp } = point;
  const decoded: IMetricPoint = {
    step,
    timestamp,
    value: decodeFloat(point.value)
  };
  if ('count' in point) {
    decoded.min = decodeFloat(point.min);
    decoded.max = decodeFloat(point.max);
    decoded.count = point.count;
  }
  return decoded;
}

/**
 * Typed client for the tracking endpoints of the jupyter-mlops REST API.
 *
 * Errors propagate as `ApiError` (a `ServerConnection.ResponseError`) carrying
 * the server's message; callers show them, they are never swallowed here.
 */
export class TrackingApi extends RestClient {
  // -- experiments --------------------------------------------------------------
  async listExperiments(
    options: IListExperimentsOptions = {}
  ): Promise<IPage<IExperiment>> {
    const body = await this.call('searchExperiments', {
      query: {
        view: options.view,
        name_like: options.nameLike,
        max_results: options.maxResults,
        page_token: options.pageToken
      }
    });
    return pageOf(body.experiments, body.next_page_token);
  }

  /**
   * The experiment with exactly this name, or `null` if there is none.
   */
  async getExperimentByName(name: string): Promise<IExperiment | null> {
    const body = await this.call('searchExperiments', { query: { name } });
    return body.experiments[0] ?? null;
  }

  async getExperiment(experimentId: string): Promise<IExperiment> {
    const body = await this.call('getExperiment', {
      path: { experiment_id: experimentId }
    });
    return body.experiment;
  }

  async createExperiment(
    name: string,
    options: Omit<Schemas['CreateExperimentRequest'], 'name'> = {}
  ): Promise<IExperiment> {
    const body = await this.call('createExperiment', {
      body: { name, ...options }
    });
    return body.experiment;
  }

  async updateExperiment(
    experimentId: string,
    changes: Schemas['UpdateExperimentRequest']
  ): Promise<IExperiment> {
    const body = await this.call('updateExperiment', {
      path: { experiment_id: experimentId },
      body: changes
    });
    return body.experiment;
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.call('deleteExperiment', {
      path: { experiment_id: experimentId }
    });
  }

  async restoreExperiment(experimentId: string): Promise<IExperiment> {
    const body = await this.call('restoreExperiment', {
      path: { experiment_id: experimentId }
    });
    return body.experiment;
  }

  // -- runs -----------------------------------------------------------------------
  async searchRuns(options: ISearchRunsOptions = {}): Promise<IPage<IRun>> {
    const body = await this.call('searchRunsPost', {
      body: {
        experiment_ids: [...(options.experimentIds ?? [])],
        filter: options.filter,
        order_by: options.orderBy && [...options.orderBy],
        view: options.view,
        max_results: options.maxResults,
        page_token: options.pageToken
      }
    });
    return pageOf(body.runs.map(decodeRun), body.next_page_token);
  }

  async countRuns(
    options: Pick<ISearchRunsOptions, 'experimentIds' | 'filter' | 'view'> = {}
  ): Promise<number> {
    const body = await this.call('countRuns', {
      query: {
        experiment_ids: [...(options.experimentIds ?? [])],
        filter: options.filter,
        view: options.view
      }
    });
    return body.count;
  }

  async getRun(runId: string): Promise<IRun> {
    const body = await this.call('getRun', { path: { run_id: runId } });
    return decodeRun(body.run);
  }

  async createRun(options: ICreateRunOptions = {}): Promise<IRun> {
    const body = await this.call('createRun', {
      body: {
        experiment_id: options.experimentId,
        run_name: options.runName,
        start_time: options.startTime,
        tags: options.tags,
        parent_run_id: options.parentRunId
      }
    });
    return decodeRun(body.run);
  }

  async updateRun(runId: string, changes: IUpdateRunOptions): Promise<IRun> {
    const body = await this.call('updateRun', {
      path: { run_id: runId },
      body: {
        status: changes.status,
        end_time: changes.endTime,
        run_name: changes.runName
      }
    });
    return decodeRun(body.run);
  }

  async deleteRun(runId: string): Promise<void> {
    await this.call('deleteRun', { path: { run_id: runId } });
  }

  async restoreRun(runId: string): Promise<IRun> {
    const body = await this.call('restoreRun', { path: { run_id: runId } });
    return decodeRun(body.run);
  }

  async logBatch(runId: string, batch: ILogBatchOptions): Promise<void> {
    await this.call('logBatch', {
      path: { run_id: runId },
      body: {
        metrics: (batch.metrics ?? []).map(metric => ({
          ...metric,
          value: encodeFloat(metric.value)
        })),
        params: batch.params ?? {},
        tags: batch.tags ?? {}
      }
    });
  }

  /**
   * A metric's history; with `maxPoints`, long histories come back as
   * min/max buckets computed by the server.
   */
  async getMetricHistory(
    runId: string,
    key: string,
    maxPoints?: number
  ): Promise<IMetricHistory> {
    const body = await this.call('getMetricHistory', {
      path: { run_id: runId, key },
      query: { max_points: maxPoints }
    });
    return { ...body, points: body.points.map(decodePoint) };
  }

  /**
   * One metric's history in each of up to 100 runs, in one request, in the
   * order of `runIds` (a run without the key: no points).
   */
  async getMetricHistories(
    runIds: readonly string[],
    key: string,
    maxPoints?: number
  ): Promise<IMetricHistory[]> {
    const body = await this.call('getMetricHistories', {
      query: { run_ids: [...runIds], key, max_points: maxPoints }
    });
    return body.histories.map(history => ({
      key: history.key,
      downsampled: history.downsampled,
      points: history.points.map(decodePoint)
    }));
  }

  /**
   * Set tags on a run (an upsert: other tags stay).
   */
  async setRunTags(runId: string, tags: Record<string, string>): Promise<void> {
    await this.logBatch(runId, { tags });
  }

  async deleteRunTag(runId: string, key: string): Promise<void> {
    await this.call('deleteRunTag', { path: { run_id: runId, key } });
  }

  // -- artifacts --------------------------------------------------------------------
  /**
   * The files and folders directly in one folder of a run's artifacts (`''` is
   * the root).
   */
  async listArtifacts(runId: string, path = ''): Promise<IArtifactFile[]> {
    const body = await this.call('listArtifacts', {
      path: { run_id: runId },
      query: { path: path || undefined }
    });
    return body.files;
  }

  /**
   * The URL of an artifact file, for the authenticated `fetchArtifact`.
   */
  artifactUrl(runId: string, path: string): string {
    return this.url('downloadArtifact', { run_id: runId, path });
  }

  /**
   * Download an artifact file as a Blob (with the server's Content-Type).
   *
   * @throws {ApiError} with the server's message when the answer is an error.
   */
  async fetchArtifact(runId: string, path: string): Promise<Blob> {
    const response = await fetchAPI(
      this.artifactUrl(runId, path),
      { method: 'GET' },
      this.serverSettings
    );
    return response.blob();
  }
}
