import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/**
 * Where the server extension mounts its native REST API, relative to the base URL.
 */
export const API_NAMESPACE = 'mlops/api';

/**
 * Values a query string parameter may take; arrays repeat the parameter
 * (`experiment_ids=1&experiment_ids=2`), `undefined` and `null` leave it out.
 */
export type QueryValue = string | number | boolean | null | undefined;

/**
 * The error body every jupyter-mlops endpoint answers with.
 */
export interface IErrorBody {
  error: {
    code: string;
    message: string;
    field?: string | null;
  };
}

/**
 * An error answer from the jupyter-mlops server.
 *
 * It is a `ServerConnection.ResponseError`, so code that handles JupyterLab's
 * request errors handles it too; `code` and `field` come from the server's body.
 */
export class ApiError extends ServerConnection.ResponseError {
  constructor(
    response: Response,
    message: string,
    readonly code: string | null = null,
    readonly field: string | null = null
  ) {
    super(response, message);
    this.name = 'ApiError';
  }
}

/**
 * Build `?a=1&b=x&b=y` from parameters, leaving out unset ones.
 */
export function queryString(
  params: Record<string, QueryValue | readonly QueryValue[]>
): string {
  const parts: string[] = [];
  for (const [key, raw] of Object.entries(params)) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values) {
      if (value === undefined || value === null) {
        continue;
      }
      parts.push(
        `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`
      );
    }
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/**
 * The message to show for an error answer.
 *
 * Prefers our `{"error": {"message"}}` body, then jupyter_server's own
 * `{"message"}` (e.g. a 403 from the auth layer), then a short plain-text body,
 * and falls back to the status line, so the user always sees why.
 */
export function errorMessageFrom(
  body: unknown,
  status: number,
  statusText: string
): string {
  if (body !== null && typeof body === 'object') {
    const { error, message } = body as {
      error?: { message?: unknown };
      message?: unknown;
    };
    if (error && typeof error.message === 'string' && error.message) {
      return error.message;
    }
    if (typeof message === 'string' && message) {
      return message;
    }
  }
  if (typeof body === 'string') {
    const text = body.trim();
    // An HTML error page says nothing useful in a side panel.
    if (text && text.length <= 500 && !text.startsWith('<')) {
      return text;
    }
  }
  const line = `${status} ${statusText}`.trim();
  return `The server answered ${line || 'with an error'}`;
}

function errorDetails(body: unknown): {
  code: string | null;
  field: string | null;
} {
  if (body !== null && typeof body === 'object' && 'error' in body) {
    const error = (body as IErrorBody).error;
    if (error && typeof error === 'object') {
      return {
        code: typeof error.code === 'string' ? error.code : null,
        field: typeof error.field === 'string' ? error.field : null
      };
    }
  }
  return { code: null, field: null };
}

/**
 * The error code of an answer that says this Jupyter server has no jupyter-mlops
 * API at all (a 404 from jupyter_server itself, not one of ours).
 */
export const API_UNAVAILABLE = 'MLOPS_API_UNAVAILABLE';

/**
 * Page config keys a notebook server spawned by jupyter-mlops gets (see
 * jupyter_mlops/notebooks/page_config.py): the central server's base URL and
 * the owner's API token, and which server this is.
 */
export const PAGE_CONFIG = {
  apiBaseUrl: 'mlopsApiBaseUrl',
  apiToken: 'mlopsApiToken',
  notebookServer: 'mlopsNotebookServer'
} as const;

/**
 * The settings that reach the jupyter-mlops API from `settings`.
 *
 * In a notebook server spawned by jupyter-mlops, JupyterLab's own server has
 * no jupyter-mlops API (its server extension is off there): the page config
 * names the central server (same origin, through its proxy) and the owner's
 * API token, and requests for this lab's own server go there instead. Any
 * other settings are returned as they are.
 */
export function apiSettings(
  settings: ServerConnection.ISettings
): ServerConnection.ISettings {
  const baseUrl = PageConfig.getOption(PAGE_CONFIG.apiBaseUrl);
  if (!baseUrl || !sameBase(settings.baseUrl, PageConfig.getBaseUrl())) {
    return settings;
  }
  return {
    ...settings,
    baseUrl: new URL(baseUrl, window.location.origin).href,
    token: PageConfig.getOption(PAGE_CONFIG.apiToken),
    appendToken: false
  };
}

function sameBase(a: string, b: string): boolean {
  const strip = (url: string) => url.replace(/\/+$/, '');
  return strip(a) === strip(b);
}

/**
 * A URL below this lab's own `mlops/` moved to the central server's, where
 * `apiSettings` moves the requests (see there); other URLs as they are.
 */
export function apiUrl(
  url: string,
  settings: ServerConnection.ISettings
): string {
  const central = apiSettings(settings);
  if (central === settings) {
    return url;
  }
  const own = URLExt.join(settings.baseUrl, 'mlops/');
  return url.startsWith(own)
    ? URLExt.join(central.baseUrl, 'mlops/') + url.slice(own.length)
    : url;
}

// Servers (by their settings) that answered that they have no jupyter-mlops
// API: asked again, they would only say so again (and a panel polling every few
// seconds would fill the log with 404s), so later calls fail at once.
const unavailable = new WeakMap<ServerConnection.ISettings, string>();

function unavailableMessage(): string {
  const spawned = PageConfig.getOption(PAGE_CONFIG.notebookServer);
  return spawned
    ? `This notebook server (${spawned}) was started by jupyter-mlops and does not ` +
        'serve its API: open the MLOps panels in the JupyterLab of the server that ' +
        'started it.'
    : 'This Jupyter server does not serve the jupyter-mlops API: its server ' +
        'extension is not enabled here (jupyter server extension enable jupyter_mlops).';
}

/**
 * Whether `error` says that there is no jupyter-mlops API to ask (retrying
 * cannot help; polling should stop).
 */
export function isApiUnavailable(error: unknown): boolean {
  return error instanceof ApiError && error.code === API_UNAVAILABLE;
}

/**
 * Send a request to a jupyter-mlops URL and return the successful response.
 *
 * For the calls whose bodies are not JSON (downloads); `requestAPI` is built on it.
 *
 * @throws {ApiError} with the server's message, code and field when the server
 *   answers with an error status.
 * @throws {ServerConnection.NetworkError} when the server cannot be reached.
 */
export async function fetchAPI(
  url: string,
  init: RequestInit,
  settings: ServerConnection.ISettings
): Promise<Response> {
  const given = settings;
  url = apiUrl(url, given);
  settings = apiSettings(given);
  const known = unavailable.get(given);
  if (known !== undefined) {
    throw new ApiError(
      new Response(null, { status: 404, statusText: 'Not Found' }),
      known,
      API_UNAVAILABLE
    );
  }
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  if (!response.ok) {
    const body = parseBody(await response.text());
    const { code, field } = errorDetails(body);
    if (response.status === 404 && code === null) {
      // Not one of our answers (they all carry a code): no API here at all.
      const message = unavailableMessage();
      unavailable.set(given, message);
      throw new ApiError(response, message, API_UNAVAILABLE);
    }
    throw new ApiError(
      response,
      errorMessageFrom(body, response.status, response.statusText),
      code,
      field
    );
  }
  return response;
}

/** JSON when the text is JSON, else the text itself. */
function parseBody(text: string): unknown {
  if (text.length > 0) {
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON: keep the text, errorMessageFrom decides whether to show it.
    }
  }
  return text;
}

/**
 * Call the jupyter-mlops REST API.
 *
 * @param endPoint Path below `mlops/api/`, optionally with a query string
 *   (`runs?experiment_ids=1`).
 * @param init Fetch options; JSON bodies must be strings already.
 * @param settings Server settings; JupyterLab's defaults when omitted.
 * @returns The parsed JSON body, or `undefined` for an empty answer (204).
 * @throws {ApiError} when the server answers with an error status.
 * @throws {ServerConnection.NetworkError} when the server cannot be reached.
 */
export async function requestAPI<T>(
  endPoint: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const [path, query] = splitQuery(endPoint);
  const url =
    URLExt.join(settings.baseUrl, API_NAMESPACE, path) +
    (query ? `?${query}` : '');
  // fetchAPI moves it to the central server where there is one (apiSettings).
  const response = await fetchAPI(url, init, settings);
  const text = await response.text();
  if (text.length === 0) {
    return undefined as T;
  }
  const body = parseBody(text);
  if (typeof body === 'string') {
    throw new ApiError(
      response,
      `Expected JSON from ${path}, got ${response.headers.get('Content-Type') ?? 'something else'}`
    );
  }
  return body as T;
}

function splitQuery(endPoint: string): [string, string] {
  const index = endPoint.indexOf('?');
  return index < 0
    ? [endPoint, '']
    : [endPoint.slice(0, index), endPoint.slice(index + 1)];
}
