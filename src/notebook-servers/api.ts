import { ServerConnection } from '@jupyterlab/services';

import { queryString, requestAPI } from '../request';

export type ServerStatus =
  'Pending' | 'Starting' | 'Running' | 'Stopping' | 'Stopped' | 'Failed';

export interface IServerSpec {
  profile: string;
  image: string;
  cpu: string;
  cpu_limit: string;
  memory: string;
  memory_limit: string;
  gpus: number;
  gpu_resource: string;
  workspace: { size: string; existing_claim: string; mount_path: string };
  env: Record<string, string>;
  shm_size: string;
  cull_idle_seconds: number | null;
}

export interface INotebookServer {
  owner: string;
  name: string;
  backend: string;
  status: ServerStatus;
  reason: string;
  message: string;
  /** Path of the server through the proxy (absolute, ends in `/`). */
  url: string;
  /** Whether this caller may open it through the proxy (its owner; admins with admin_access). */
  openable: boolean;
  created_at: number;
  started_at: number | null;
  last_activity: number | null;
  restart_required: boolean;
  spec: IServerSpec;
  names: Record<string, string>;
}

export interface IServerEvent {
  id: number;
  timestamp: number;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface IImageOption {
  image: string;
  display_name: string;
  default: boolean;
}

export interface IProfile {
  slug: string;
  display_name: string;
  description: string;
  default: boolean;
  overrides: Record<string, unknown>;
}

export interface INotebookOptions {
  images: IImageOption[];
  allow_custom_image: boolean;
  profiles: IProfile[];
  gpu_resources: string[];
  max_gpus: number;
  defaults: { cpu: string; memory: string; workspace_size: string };
  quota: Record<string, string | number | null>;
  backend: string;
  is_admin: boolean;
  user: string;
  users?: string[];
}

/** A create request (see the OpenAPI document); the server fills in the rest. */
export interface ICreateRequest {
  name: string;
  owner?: string;
  profile?: string;
  image?: string;
  cpu?: string;
  memory?: string;
  gpus?: number;
  gpu_resource?: string;
  workspace?: { size?: string };
  cull_idle_seconds?: number | null;
}

export type IEditRequest = Partial<
  Pick<ICreateRequest, 'image' | 'cpu' | 'memory' | 'gpus' | 'gpu_resource'>
>;

export interface IEventsAnswer {
  server: INotebookServer;
  events: IServerEvent[];
  cursor: number;
}

function item(owner: string, name: string): string {
  return `notebook-servers/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
}

/**
 * The notebook-server REST API (`mlops/api/notebook-servers`); errors propagate
 * as `ApiError`s carrying the server's message and field.
 */
export class NotebookServersApi {
  constructor(
    readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  options(): Promise<INotebookOptions> {
    return requestAPI('notebook-servers/options', {}, this.settings);
  }

  async list(user?: string): Promise<INotebookServer[]> {
    const answer = await requestAPI<{ servers: INotebookServer[] }>(
      `notebook-servers${queryString({ user, max_results: 1000 })}`,
      {},
      this.settings
    );
    return answer.servers;
  }

  async create(body: ICreateRequest): Promise<INotebookServer> {
    const answer = await requestAPI<{ server: INotebookServer }>(
      'notebook-servers',
      { method: 'POST', body: JSON.stringify(body) },
      this.settings
    );
    return answer.server;
  }

  async update(
    owner: string,
    name: string,
    body: IEditRequest
  ): Promise<INotebookServer> {
    const answer = await requestAPI<{ server: INotebookServer }>(
      item(owner, name),
      { method: 'PATCH', body: JSON.stringify(body) },
      this.settings
    );
    return answer.server;
  }

  async action(
    owner: string,
    name: string,
    verb: 'start' | 'stop'
  ): Promise<INotebookServer> {
    const answer = await requestAPI<{ server: INotebookServer }>(
      `${item(owner, name)}/${verb}`,
      { method: 'POST' },
      this.settings
    );
    return answer.server;
  }

  async remove(
    owner: string,
    name: string,
    deleteVolume: boolean
  ): Promise<void> {
    await requestAPI<void>(
      `${item(owner, name)}${queryString({ delete_volume: deleteVolume })}`,
      { method: 'DELETE' },
      this.settings
    );
  }

  async logs(owner: string, name: string, tail = 500): Promise<string> {
    const answer = await requestAPI<{ logs: string }>(
      `${item(owner, name)}/logs${queryString({ tail })}`,
      {},
      this.settings
    );
    return answer.logs;
  }

  events(owner: string, name: string, since: number): Promise<IEventsAnswer> {
    return requestAPI(
      `${item(owner, name)}/events${queryString({ since })}`,
      {},
      this.settings
    );
  }

  async manifest(owner: string, name: string): Promise<unknown[]> {
    const answer = await requestAPI<{ manifests: unknown[] }>(
      `${item(owner, name)}/manifest`,
      {},
      this.settings
    );
    return answer.manifests;
  }
}

/** Statuses that change by themselves (worth polling). */
export function isTransitional(status: ServerStatus): boolean {
  return status === 'Pending' || status === 'Starting' || status === 'Stopping';
}

/**
 * Where spawning is, as the steps users recognise (scheduled, pulling the
 * image, started, ready), from the events seen so far.
 */
export function spawnPhase(events: IServerEvent[]): {
  step: number;
  label: string;
} {
  const steps: [number, string, RegExp][] = [
    [1, 'Requested', /^(Created|Requested)$/],
    [2, 'Scheduled on a node', /^(Scheduled|SuccessfulCreate|Starting)$/],
    [3, 'Pulling the image', /^(Pulling|Pulled)$/],
    [4, 'Started', /^Started$/],
    [5, 'Ready', /^Ready$/]
  ];
  let best = { step: 0, label: 'Waiting' };
  for (const event of events) {
    for (const [step, label, pattern] of steps) {
      if (pattern.test(event.reason) && step >= best.step) {
        best = { step, label };
      }
    }
  }
  return best;
}
