import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  API_NAMESPACE,
  ApiError,
  errorMessageFrom,
  RestClient,
  segment
} from './request';

/**
 * A float as the server sends it: a JSON number, or one of the proto3 JSON
 * strings for values JSON cannot hold.
 */
export type WireFloat = number | 'NaN' | 'Infinity' | '-Infinity';

export type RunStatus =
  'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export type LifecycleStage = 'active' | 'deleted';

export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

/**
 * An experiment. Times are milliseconds since the epoch.
 */
export interface IExperiment {
  experiment_id: string;
  name: string;
  owner: string;
  description: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  creation_time: number;
  last_update_time: number;
  tags: Record<string, string>;
}

export interface IRunInfo {
  run_id: string;
  run_name: string;
  experiment_id: string;
  user: string;
  status: RunStatus;
  start_time: number;
  /** `null` while the run is running. */
  end_time: number | null;
  parent_run_id: string | null;
  lifecycle_stage: LifecycleStage;
  artifact_uri: string;
}

/**
 * The latest value of a metric, with the extremes over its whole history.
 * Values are decoded: NaN and infinities are real numbers here.
 */
export interface IMetricSummary {
  value: number;
  step: number;
  timestamp: number;
  min: number;
  max: number;
}

/** A dataset of an experiment, one per (name, digest) there. */
export interface IDataset {
  name: string;
  digest: string;
  /** How to read `source`: `local`, `http`, `s3`, `code`... */
  source_type: string;
  /** Where the data came from, often JSON such as `{"uri": "s3://..."}`. */
  source: string;
  schema: string | null;
  profile: string | null;
}

/** A dataset a run used; `context` is its `mlflow.data.context` tag. */
export interface IDatasetInput {
  dataset: IDataset;
  context: string | null;
  tags: Record<string, string>;
}

/** A logged model a run used or produced. */
export interface ILoggedModelRef {
  model_id: string;
  name: string | null;
}

export interface IRun {
  info: IRunInfo;
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, IMetricSummary>;
  /** What the run used (absent from servers that predate run inputs). */
  inputs?: { datasets: IDatasetInput[]; models: ILoggedModelRef[] };
  /** The logged models the run produced. */
  outputs?: { models: ILoggedModelRef[] };
}

export interface IPage<T> {
  items: T[];
  /** Pass back as `pageToken` for the next page; `null` on the last page. */
  nextPageToken: string | null;
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

export interface IMetricInput {
  key: string;
  value: number;
  step?: number;
  timestamp?: number;
}

export interface ILogBatchOptions {
  metrics?: readonly IMetricInput[];
  params?: Record<string, string>;
  tags?: Record<string, string>;
}

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
export interface IArtifactFile {
  path: string;
  is_dir: boolean;
  /** `null` for folders. */
  file_size: number | null;
}

export interface IMetricHistory {
  key: string;
  downsampled: boolean;
  points: IMetricPoint[];
}

/**
 * Decode a float sent in the proto3 JSON mapping.
 */
export function decodeFloat(value: WireFloat | string): number {
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

type WireMetricSummary = Omit<IMetricSummary, 'value' | 'min' | 'max'> & {
  value: WireFloat;
  min: WireFloat;
  max: WireFloat;
};

type WireRun = Omit<IRun, 'metrics'> & {
  metrics: Record<string, WireMetricSummary>;
};

type WireMetricPoint = Omit<IMetricPoint, 'value' | 'min' | 'max'> & {
  value: WireFloat;
  min?: WireFloat;
  max?: WireFloat;
};

function decodeRun(run: WireRun): IRun {
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
  const { min, max, ...rest } = point;
  const decoded: IMetricPoint = { ...rest, value: decodeFloat(point.value) };
  if (min !== undefined) {
    decoded.min = decodeFloat(min);
  }
  if (max !== undefined) {
    decoded.max = decodeFloat(max);
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
    const body = await this._get<{
      experiments: IExperiment[];
      next_page_token: string | null;
    }>('experiments', {
      view: options.view,
      name_like: options.nameLike,
      max_results: options.maxResults,
      page_token: options.pageToken
    });
    return {
      items: body.experiments,
      nextPageToken: body.next_page_token ?? null
    };
  }

  /**
   * The experiment with exactly this name, or `null` if there is none.
   */
  async getExperimentByName(name: string): Promise<IExperiment | null> {
    const body = await this._get<{ experiments: IExperiment[] }>(
      'experiments',
      { name }
    );
    return body.experiments[0] ?? null;
  }

  async getExperiment(experimentId: string): Promise<IExperiment> {
    const body = await this._get<{ experiment: IExperiment }>(
      `experiments/${segment(experimentId)}`
    );
    return body.experiment;
  }

  async createExperiment(
    name: string,
    options: { description?: string; tags?: Record<string, string> } = {}
  ): Promise<IExperiment> {
    const body = await this._send<{ experiment: IExperiment }>(
      'POST',
      'experiments',
      { name, ...options }
    );
    return body.experiment;
  }

  async updateExperiment(
    experimentId: string,
    changes: {
      name?: string;
      description?: string;
      tags?: Record<string, string>;
    }
  ): Promise<IExperiment> {
    const body = await this._send<{ experiment: IExperiment }>(
      'PATCH',
      `experiments/${segment(experimentId)}`,
      changes
    );
    return body.experiment;
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this._send<void>('DELETE', `experiments/${segment(experimentId)}`);
  }

  async restoreExperiment(experimentId: string): Promise<IExperiment> {
    const body = await this._send<{ experiment: IExperiment }>(
      'POST',
      `experiments/${segment(experimentId)}/restore`
    );
    return body.experiment;
  }

  // -- runs -----------------------------------------------------------------------
  async searchRuns(options: ISearchRunsOptions = {}): Promise<IPage<IRun>> {
    const body = await this._send<{
      runs: WireRun[];
      next_page_token: string | null;
    }>('POST', 'runs/search', {
      experiment_ids: options.experimentIds ?? [],
      filter: options.filter,
      order_by: options.orderBy,
      view: options.view,
      max_results: options.maxResults,
      page_token: options.pageToken
    });
    return {
      items: body.runs.map(decodeRun),
      nextPageToken: body.next_page_token ?? null
    };
  }

  async countRuns(
    options: Pick<ISearchRunsOptions, 'experimentIds' | 'filter' | 'view'> = {}
  ): Promise<number> {
    const body = await this._get<{ count: number }>('runs/count', {
      experiment_ids: options.experimentIds ?? [],
      filter: options.filter,
      view: options.view
    });
    return body.count;
  }

  async getRun(runId: string): Promise<IRun> {
    const body = await this._get<{ run: WireRun }>(`runs/${segment(runId)}`);
    return decodeRun(body.run);
  }

  async createRun(options: ICreateRunOptions = {}): Promise<IRun> {
    const body = await this._send<{ run: WireRun }>('POST', 'runs', {
      experiment_id: options.experimentId,
      run_name: options.runName,
      start_time: options.startTime,
      tags: options.tags,
      parent_run_id: options.parentRunId
    });
    return decodeRun(body.run);
  }

  async updateRun(runId: string, changes: IUpdateRunOptions): Promise<IRun> {
    const body = await this._send<{ run: WireRun }>(
      'PATCH',
      `runs/${segment(runId)}`,
      {
        status: changes.status,
        end_time: changes.endTime,
        run_name: changes.runName
      }
    );
    return decodeRun(body.run);
  }

  async deleteRun(runId: string): Promise<void> {
    await this._send<void>('DELETE', `runs/${segment(runId)}`);
  }

  async restoreRun(runId: string): Promise<IRun> {
    const body = await this._send<{ run: WireRun }>(
      'POST',
      `runs/${segment(runId)}/restore`
    );
    return decodeRun(body.run);
  }

  async logBatch(runId: string, batch: ILogBatchOptions): Promise<void> {
    await this._send<void>('POST', `runs/${segment(runId)}/batch`, {
      metrics: (batch.metrics ?? []).map(metric => ({
        ...metric,
        value: encodeFloat(metric.value)
      })),
      params: batch.params ?? {},
      tags: batch.tags ?? {}
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
    const body = await this._get<{
      key: string;
      downsampled: boolean;
      points: WireMetricPoint[];
    }>(`runs/${segment(runId)}/metrics/${segment(key)}`, {
      max_points: maxPoints
    });
    return { ...body, points: body.points.map(decodePoint) };
  }

  /**
   * Set tags on a run (an upsert: other tags stay).
   */
  async setRunTags(runId: string, tags: Record<string, string>): Promise<void> {
    await this.logBatch(runId, { tags });
  }

  async deleteRunTag(runId: string, key: string): Promise<void> {
    await this._send<void>(
      'DELETE',
      `runs/${segment(runId)}/tags/${segment(key)}`
    );
  }

  // -- artifacts --------------------------------------------------------------------
  /**
   * The files and folders directly in one folder of a run's artifacts (`''` is
   * the root).
   */
  async listArtifacts(runId: string, path = ''): Promise<IArtifactFile[]> {
    const body = await this._get<{ files: IArtifactFile[] }>(
      `runs/${segment(runId)}/artifacts`,
      { path: path || undefined }
    );
    return body.files;
  }

  /**
   * The URL of an artifact file, for the authenticated `fetchArtifact`.
   */
  artifactUrl(runId: string, path: string): string {
    const encoded = path.split('/').map(segment).join('/');
    return URLExt.join(
      this.serverSettings.baseUrl,
      API_NAMESPACE,
      'runs',
      segment(runId),
      'artifacts',
      encoded
    );
  }

  /**
   * Download an artifact file as a Blob (with the server's Content-Type).
   *
   * @throws {ApiError} with the server's message when the answer is an error.
   */
  async fetchArtifact(runId: string, path: string): Promise<Blob> {
    const url = this.artifactUrl(runId, path);
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(
        url,
        { method: 'GET' },
        this.serverSettings
      );
    } catch (error) {
      throw new ServerConnection.NetworkError(error as TypeError);
    }
    if (!response.ok) {
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON: errorMessageFrom shows short text.
      }
      throw new ApiError(
        response,
        errorMessageFrom(body, response.status, response.statusText)
      );
    }
    return response.blob();
  }
}
