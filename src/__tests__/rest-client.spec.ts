import { readFileSync } from 'fs';
import { join } from 'path';

import { API_OPERATIONS } from '../generated/api-operations';
import { ApiError } from '../request';
import { operationPath, pageOf, RestClient } from '../rest-client';
import { BASE_URL, fakeServer } from './fake-server';

const ROOT = join(__dirname, '..', '..');
const API = '/lab-base/mlops/api/';

describe('the generated API types', () => {
  // `jlpm test` writes them from the document first (src/generated/ is not committed).
  it('place every operation of the document', () => {
    const document = readFileSync(
      join(ROOT, 'jupyter_mlops', 'server', 'openapi.yaml'),
      'utf8'
    );
    const ids = [...document.matchAll(/operationId:\s*(\w+)/g)].map(m => m[1]);
    expect(Object.keys(API_OPERATIONS).sort()).toEqual(ids.sort());
  });
});

describe('operationPath', () => {
  it('fills each path parameter as one escaped segment', () => {
    expect(
      operationPath('getMetricHistory', { run_id: 'r1', key: 'system/cpu' })
    ).toBe('runs/r1/metrics/system%2Fcpu');
    expect(
      operationPath('downloadArtifact', { run_id: 'r1', path: 'a b/c.png' })
    ).toBe('runs/r1/artifacts/a%20b%2Fc.png');
  });

  it('names a missing path parameter', () => {
    expect(() => operationPath('getRun', {})).toThrow(/run_id/);
  });
});

describe('RestClient.call', () => {
  it('sends the method, path, query and JSON body of the operation', async () => {
    const { settings, requests } = fakeServer(() => ({
      status: 200,
      body: { model_version: { name: 'churn', version: '2' } }
    }));
    const client = new RestClient(settings);
    const answer = await client.call('updateModelVersion', {
      path: { name: 'team/churn', version: '2' },
      body: { description: 'best' }
    });
    expect(answer.model_version.version).toBe('2');
    expect(requests[0]).toMatchObject({
      method: 'PATCH',
      path: `${API}registered-models/team%2Fchurn/versions/2`,
      body: { description: 'best' }
    });
  });

  it('repeats array query parameters and leaves unset ones out', async () => {
    const { settings, requests } = fakeServer(() => ({
      status: 200,
      body: { count: 3 }
    }));
    const answer = await new RestClient(settings).call('countRuns', {
      query: { experiment_ids: ['1', '2'], filter: undefined }
    });
    expect(answer.count).toBe(3);
    expect(requests[0].query.getAll('experiment_ids')).toEqual(['1', '2']);
    expect(requests[0].query.has('filter')).toBe(false);
  });

  it('takes no arguments where the operation needs none', async () => {
    const { settings, requests } = fakeServer(() => ({
      status: 200,
      body: { pipelines: [] }
    }));
    await new RestClient(settings).call('listPipelines');
    expect(requests[0]).toMatchObject({
      method: 'GET',
      path: `${API}pipelines`
    });
  });

  it('throws the server error as an ApiError', async () => {
    const { settings } = fakeServer(() => ({
      status: 404,
      body: { error: { code: 'RESOURCE_DOES_NOT_EXIST', message: 'No run x' } }
    }));
    const call = new RestClient(settings).call('getRun', {
      path: { run_id: 'x' }
    });
    await expect(call).rejects.toBeInstanceOf(ApiError);
    await expect(call).rejects.toMatchObject({
      message: 'No run x',
      code: 'RESOURCE_DOES_NOT_EXIST'
    });
  });

  it('checks arguments against the document at compile time', () => {
    const client = new RestClient(fakeServer(() => ({ status: 204 })).settings);
    const wrong = (): unknown[] => [
      // @ts-expect-error: getRun needs its run_id.
      client.call('getRun'),
      // @ts-expect-error: createExperiment's body needs a name.
      client.call('createExperiment', { body: { description: 'x' } }),
      // @ts-expect-error: no such operation.
      client.call('getEverything')
    ];
    expect(typeof wrong).toBe('function');
  });
});

describe('RestClient.url', () => {
  it('is absolute below the base URL', () => {
    const client = new RestClient(fakeServer(() => ({ status: 204 })).settings);
    expect(
      client.url('downloadArtifact', { run_id: 'r1', path: 'plots/loss.png' })
    ).toBe(`${BASE_URL}mlops/api/runs/r1/artifacts/plots%2Floss.png`);
  });
});

describe('pageOf', () => {
  it('reads a missing token as the last page', () => {
    expect(pageOf([1], undefined)).toEqual({ items: [1], nextPageToken: null });
    expect(pageOf(undefined, 't')).toEqual({ items: [], nextPageToken: 't' });
  });
});
