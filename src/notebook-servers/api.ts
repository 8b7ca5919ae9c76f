import { CallResult, RestClient, Schemas } from '../rest-client';

export type ServerStatus = Schemas['NotebookServer']['status'];

/** What a server runs with (image, resources, workspace...). */
export type IServerSpec = Schemas['NotebookServerSpecFields'];

export type INotebookServer = Schemas['NotebookServer'];

export type IServerEvent = Schemas['NotebookServerEvent'];

export type IImageOption = Schemas['NotebookServerOptions']['images'][number];

/** A profile of the spawn form: a named set of spec fields. */
export interface IProfile {
  slug: string;
  display_name: string;
  description: string;
  default: boolean;
  overrides: Record<string, unknown>;
}

/**
 * What the spawn form offers. The OpenAPI document leaves `profiles`,
 * `defaults` and `quota` open objects; these are their shapes.
 */
export interface INotebookOptions extends Omit<
  Schemas['NotebookServerOptions'],
  'profiles' | 'defaults' | 'quota'
> {
  profiles: IProfile[];
  defaults: { cpu: string; memory: string; workspace_size: string };
  quota: Record<string, string | number | null>;
}

/** A create request (see the OpenAPI document); the server fills in the rest. */
export type ICreateRequest = Schemas['NotebookServerRequest'];

export type IEditRequest = Schemas['NotebookServerEdit'];

export type IEventsAnswer = CallResult<'getNotebookServerEvents'>;

/**
 * The notebook-server REST API (`mlops/api/notebook-servers`); errors propagate
 * as `ApiError`s carrying the server's message and field.
 */
export class NotebookServersApi extends RestClient {
  async options(): Promise<INotebookOptions> {
    // The open objects of the document, read as their shapes (see INotebookOptions).
    const options: unknown = await this.call('getNotebookServerOptions');
    return options as INotebookOptions;
  }

  async list(user?: string): Promise<INotebookServer[]> {
    const answer = await this.call('listNotebookServers', {
      query: { user, max_results: 1000 }
    });
    return answer.servers;
  }

  async create(body: ICreateRequest): Promise<INotebookServer> {
    const answer = await this.call('createNotebookServer', { body });
    return answer.server;
  }

  async update(
    owner: string,
    name: string,
    body: IEditRequest
  ): Promise<INotebookServer> {
    const answer = await this.call('updateNotebookServer', {
      path: { owner, name },
      body
    });
    return answer.server;
  }

  async action(
    owner: string,
    name: string,
    verb: 'start' | 'stop'
  ): Promise<INotebookServer> {
    const operation =
      verb === 'start' ? 'startNotebookServer' : 'stopNotebookServer';
    const answer = await this.call(operation, { path: { owner, name } });
    return answer.server;
  }

  async remove(
    owner: string,
    name: string,
    deleteVolume: boolean
  ): Promise<void> {
    await this.call('deleteNotebookServer', {
      path: { owner, name },
      query: { delete_volume: deleteVolume ? 'true' : 'false' }
    });
  }

  async logs(owner: string, name: string, tail = 500): Promise<string> {
    const answer = await this.call('getNotebookServerLogs', {
      path: { owner, name },
      query: { tail }
    });
    return answer.logs;
  }

  events(owner: string, name: string, since: number): Promise<IEventsAnswer> {
    return this.call('getNotebookServerEvents', {
      path: { owner, name },
      query: { since }
    });
  }

  async manifest(owner: string, name: string): Promise<unknown[]> {
    const answer = await this.call('getNotebookServerManifest', {
      path: { owner, name }
    });
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
