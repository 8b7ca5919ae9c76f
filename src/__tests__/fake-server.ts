import { ServerConnection } from '@jupyterlab/services';

/**
 * A recorded request, as the server would see it.
 */
export interface IRecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: any;
}

export type Route = (request: IRecordedRequest) => {
  status: number;
  body?: unknown;
  contentType?: string;
};

export const BASE_URL = 'http://localhost:8888/lab-base/';

/**
 * Server settings whose `fetch` answers from `route` instead of the network:
 * the injection point JupyterLab's ServerConnection offers for this.
 */
export function fakeServer(route: Route): {
  settings: ServerConnection.ISettings;
  requests: IRecordedRequest[];
} {
  const requests: IRecordedRequest[] = [];
  const fetchImpl = async (
    input: RequestInfo,
    init?: RequestInit
  ): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = await request.text();
    const recorded: IRecordedRequest = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      body: text ? JSON.parse(text) : undefined
    };
    requests.push(recorded);
    const answer = route(recorded);
    const payload =
      answer.body === undefined
        ? null
        : typeof answer.body === 'string'
          ? answer.body
          : JSON.stringify(answer.body);
    return new Response(payload, {
      status: answer.status,
      statusText: answer.status >= 400 ? 'Error' : 'OK',
      headers: { 'Content-Type': answer.contentType ?? 'application/json' }
    });
  };
  const settings = ServerConnection.makeSettings({
    baseUrl: BASE_URL,
    fetch: fetchImpl as typeof fetch
  });
  return { settings, requests };
}

export function experimentJson(id: string, name: string, owner = 'ada'): any {
  return {
    experiment_id: id,
    name,
    owner,
    description: '',
    artifact_location: `/artifacts/${id}`,
    lifecycle_stage: 'active',
    creation_time: 1_700_000_000_000,
    last_update_time: 1_700_000_000_000,
    tags: {}
  };
}

export function runJson(
  runId: string,
  experimentId: string,
  metrics: Record<string, number | string> = {}
): any {
  const wire: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metrics)) {
    wire[key] = {
      value,
      step: 3,
      timestamp: 1_700_000_001_000,
      min: value,
      max: value
    };
  }
  return {
    info: {
      run_id: runId,
      run_name: `run-${runId.slice(0, 4)}`,
      experiment_id: experimentId,
      user: 'ada',
      status: 'FINISHED',
      start_time: 1_700_000_000_000,
      end_time: 1_700_000_012_300,
      parent_run_id: null,
      lifecycle_stage: 'active',
      artifact_uri: `/artifacts/${experimentId}/${runId}`
    },
    params: { lr: '0.01' },
    tags: {},
    metrics: wire
  };
}
