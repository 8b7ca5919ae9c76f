import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_OPERATIONS } from './generated/api-operations';
import type { components, operations } from './generated/api-types';
import { API_NAMESPACE, QueryValue, queryString, requestAPI } from './request';

/** The schemas of the OpenAPI document, by name: `Schemas['Run']`. */
export type Schemas = components['schemas'];

/** The operationId of a REST operation, e.g. `'getRun'`. */
export type OperationId = keyof operations;

type ParametersOf<K extends OperationId> = operations[K]['parameters'];
type RequestBodyOf<K extends OperationId> = operations[K]['requestBody'];
type ResponsesOf<K extends OperationId> = operations[K]['responses'];

type JsonContent<T> = T extends { content: { 'application/json': infer B } }
  ? B
  : never;

type JsonBodyOf<K extends OperationId> = JsonContent<
  NonNullable<RequestBodyOf<K>>
>;

/** The JSON request body of an operation, as the OpenAPI document declares it. */
export type RequestBody<K extends OperationId> = JsonBodyOf<K>;

type BodyArg<K extends OperationId> = [JsonBodyOf<K>] extends [never]
  ? { body?: never }
  : undefined extends RequestBodyOf<K>
    ? { body?: JsonBodyOf<K> }
    : { body: JsonBodyOf<K> };

/**
 * What `call` takes for an operation: its path parameters, query parameters
 * and JSON body, as the OpenAPI document declares them.
 */
export type CallArgs<K extends OperationId> = Pick<
  ParametersOf<K>,
  'path' | 'query'
> &
  BodyArg<K>;

type SuccessStatus = 200 | 201 | 202 | 204;
type SuccessResponseOf<K extends OperationId> = ResponsesOf<K>[Extract<
  keyof ResponsesOf<K>,
  SuccessStatus
>];

/** The JSON body a successful answer of an operation carries (`void` for none). */
export type CallResult<K extends OperationId> = [
  JsonContent<SuccessResponseOf<K>>
] extends [never]
  ? void
  : JsonContent<SuccessResponseOf<K>>;

/** The arguments may be left out when an operation needs none. */
type ArgsTuple<K extends OperationId> =
  Record<string, never> extends CallArgs<K>
    ? [args?: CallArgs<K>]
    : [args: CallArgs<K>];

type UntypedArgs = {
  path?: Record<string, string | number>;
  query?: Record<string, QueryValue | readonly QueryValue[]>;
  body?: unknown;
};

/**
 * A list page as the frontend uses it; `nextPageToken` is `null` on the last
 * page, else what to pass back for the next one.
 */
export interface IPage<T> {
  items: T[];
  nextPageToken: string | null;
}

/** A page from a list answer's items and `next_page_token`. */
export function pageOf<T>(
  items: T[] | undefined,
  nextPageToken: string | null | undefined
): IPage<T> {
  return { items: items ?? [], nextPageToken: nextPageToken ?? null };
}

/**
 * The path of an operation below `mlops/api` (no leading `/`), each path
 * parameter escaped as one segment: a `/` inside a metric key or an artifact
 * path is sent as `%2F`, which the server accepts.
 */
export function operationPath(
  operationId: OperationId,
  params: Record<string, string | number> = {}
): string {
  const template = API_OPERATIONS[operationId].path;
  const filled = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) {
      throw new Error(`${operationId} needs the path parameter ${name}`);
    }
    return encodeURIComponent(String(value));
  });
  return filled.slice(1);
}

/**
 * The one client of the jupyter-mlops REST API: every operation by its
 * operationId, with request and result types generated from the OpenAPI
 * document. Errors propagate as `ApiError` (see `requestAPI`).
 */
export class RestClient {
  constructor(
    readonly serverSettings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  /**
   * Call one JSON operation, e.g.
   * `call('getRun', { path: { run_id } })` or
   * `call('searchRunsPost', { body: { experiment_ids: ['1'] } })`.
   */
  call<K extends OperationId>(
    operationId: K,
    ...[args]: ArgsTuple<K>
  ): Promise<CallResult<K>> {
    const { path, query, body } = (args ?? {}) as UntypedArgs;
    const init: RequestInit = { method: API_OPERATIONS[operationId].method };
    if (body !== undefined) {
      // JSON.stringify drops undefined members, so optional fields stay unset.
      init.body = JSON.stringify(body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    return requestAPI<CallResult<K>>(
      operationPath(operationId, path) + queryString(query ?? {}),
      init,
      this.serverSettings
    );
  }

  /**
   * The absolute URL of an operation, for the calls whose bodies are not JSON
   * (downloads, uploads, binary histories).
   */
  url<K extends OperationId>(
    operationId: K,
    params: NonNullable<ParametersOf<K>['path']>
  ): string {
    return URLExt.join(
      this.serverSettings.baseUrl,
      API_NAMESPACE,
      operationPath(operationId, params as Record<string, string | number>)
    );
  }
}
