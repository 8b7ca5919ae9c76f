import { PageConfig } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  API_UNAVAILABLE,
  apiSettings,
  isApiUnavailable,
  PAGE_CONFIG,
  requestAPI
} from '../request';

const OWN_BASE = 'http://localhost/mlops/servers/ada/work/';

interface ISeen {
  url: string;
  authorization: string | null;
}

/** Settings of this lab's own server whose fetch answers `status` with `body`. */
function ownServer(
  status: number,
  body: string
): { settings: ServerConnection.ISettings; seen: ISeen[] } {
  const seen: ISeen[] = [];
  const fetchImpl = async (
    input: RequestInfo,
    init?: RequestInit
  ): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    seen.push({
      url: request.url.split('?')[0], // less JupyterLab's cache buster
      authorization: request.headers.get('Authorization')
    });
    return new Response(body, { status, statusText: 'X' });
  };
  return {
    settings: ServerConnection.makeSettings({
      baseUrl: OWN_BASE,
      token: 'own-server-token',
      fetch: fetchImpl as typeof fetch
    }),
    seen
  };
}

function setPageConfig(options: Record<string, string>): void {
  for (const [key, value] of Object.entries(options)) {
    PageConfig.setOption(key, value);
  }
}

afterEach(() => {
  setPageConfig({
    [PAGE_CONFIG.apiBaseUrl]: '',
    [PAGE_CONFIG.apiToken]: '',
    [PAGE_CONFIG.notebookServer]: ''
  });
});

describe('a lab in a notebook server spawned by jupyter-mlops', () => {
  beforeEach(() => {
    setPageConfig({
      baseUrl: OWN_BASE,
      [PAGE_CONFIG.apiBaseUrl]: '/',
      [PAGE_CONFIG.apiToken]: 'owner-api-token',
      [PAGE_CONFIG.notebookServer]: 'ada/work'
    });
  });

  it("asks the central server's API with the owner's token", async () => {
    const { settings, seen } = ownServer(200, '{"pipelines": []}');
    await expect(requestAPI('pipelines', {}, settings)).resolves.toEqual({
      pipelines: []
    });
    expect(seen).toEqual([
      {
        url: 'http://localhost/mlops/api/pipelines',
        authorization: 'token owner-api-token'
      }
    ]);
  });

  it('leaves the settings of other servers alone', () => {
    const other = ServerConnection.makeSettings({
      baseUrl: 'http://elsewhere:8888/'
    });
    expect(apiSettings(other)).toBe(other);
  });
});

describe('a server without the jupyter-mlops API', () => {
  it('says so once and then fails at once without asking again', async () => {
    setPageConfig({
      baseUrl: OWN_BASE,
      [PAGE_CONFIG.notebookServer]: 'ada/work'
    });
    const { settings, seen } = ownServer(404, '<html>404 : Not Found</html>');
    const first: any = await requestAPI('pipelines', {}, settings).catch(
      e => e
    );
    expect(isApiUnavailable(first)).toBe(true);
    expect(first.code).toBe(API_UNAVAILABLE);
    expect(first.message).toContain('ada/work');
    const second = await requestAPI('pipeline-runs', {}, settings).catch(
      e => e
    );
    expect(isApiUnavailable(second)).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it('keeps our own 404s (a missing run) as they are, and asks again', async () => {
    const body =
      '{"error": {"code": "RESOURCE_DOES_NOT_EXIST", "message": "no"}}';
    const { settings, seen } = ownServer(404, body);
    for (let i = 0; i < 2; i++) {
      const error: any = await requestAPI(
        'pipeline-runs/x',
        {},
        settings
      ).catch(e => e);
      expect(isApiUnavailable(error)).toBe(false);
      expect(error.code).toBe('RESOURCE_DOES_NOT_EXIST');
    }
    expect(seen).toHaveLength(2);
  });
});
