import { decodeFloat, encodeFloat, TrackingApi } from '../api';
import { experimentJson, fakeServer, runJson } from './fake-server';

describe('decodeFloat / encodeFloat', () => {
  it('round-trips the values JSON cannot hold', () => {
    expect(decodeFloat('NaN')).toBeNaN();
    expect(decodeFloat('Infinity')).toBe(Infinity);
    expect(decodeFloat('-Infinity')).toBe(-Infinity);
    expect(decodeFloat(0.25)).toBe(0.25);
    expect(encodeFloat(NaN)).toBe('NaN');
    expect(encodeFloat(-Infinity)).toBe('-Infinity');
    expect(encodeFloat(1.5)).toBe(1.5);
  });
});

describe('TrackingApi', () => {
  it('lists experiments with their next page token', async () => {
    const { settings, requests } = fakeServer(() => ({
      status: 200,
      body: {
        experiments: [experimentJson('1', 'churn')],
        next_page_token: 'p2'
      }
    }));
    const page = await new TrackingApi(settings).listExperiments({
      maxResults: 1,
      nameLike: 'ch%'
    });
    expect(page.items.map(e => e.name)).toEqual(['churn']);
    expect(page.nextPageToken).toBe('p2');
    expect(requests[0].query.get('max_results')).toBe('1');
    expect(requests[0].query.get('name_like')).toBe('ch%');
    expect(requests[0].query.has('view')).toBe(false);
  });

  it('finds an experiment by exact name, or null', async () => {
    const { settings, requests } = fakeServer(() => ({
      status: 200,
      body: { experiments: [], next_page_token: null }
    }));
    await expect(
      new TrackingApi(settings).getExperimentByName('a b')
    ).resolves.toBeNull();
    expect(requests[0].query.get('name')).toBe('a b');
  });

  it('searches runs with a JSON body and decodes metric values', async () => {
    const { settings, requests } = fakeServer(() => ({
      status: 200,
      body: {
        runs: [runJson('a'.repeat(32), '1', { loss: 'NaN', acc: 0.9 })],
        next_page_token: null
      }
    }));
    const page = await new TrackingApi(settings).searchRuns({
      experimentIds: ['1'],
      filter: 'metrics.acc > 0.5',
      maxResults: 10
    });
    expect(requests[0].method).toBe('POST');
    expect(requests[0].path).toBe('/lab-base/mlops/api/runs/search');
    expect(requests[0].body).toEqual({
      experiment_ids: ['1'],
      filter: 'metrics.acc > 0.5',
      max_results: 10
    });
    const run = page.items[0];
    expect(run.metrics.loss.value).toBeNaN();
    expect(run.metrics.acc.value).toBe(0.9);
    expect(page.nextPageToken).toBeNull();
  });

  it('counts runs per experiment with repeated query parameters', async () => {
    const { settings, requests } = fakeServer(() => ({
      status: 200,
      body: { count: 7 }
    }));
    await expect(
      new TrackingApi(settings).countRuns({ experimentIds: ['1', '2'] })
    ).resolves.toBe(7);
    expect(requests[0].query.getAll('experiment_ids')).toEqual(['1', '2']);
  });

  it('encodes metric keys with slashes in the history route', async () => {
    const { settings, requests } = fakeServer(() => ({
      status: 200,
      body: {
        key: 'system/cpu',
        downsampled: true,
        points: [
          {
            step: 0,
            timestamp: 1,
            value: 'Infinity',
            min: 1,
            max: 'Infinity',
            count: 4
          }
        ]
      }
    }));
    const history = await new TrackingApi(settings).getMetricHistory(
      'r1',
      'system/cpu',
      100
    );
    expect(requests[0].path).toBe(
      '/lab-base/mlops/api/runs/r1/metrics/system%2Fcpu'
    );
    expect(requests[0].query.get('max_points')).toBe('100');
    expect(history.points[0]).toEqual({
      step: 0,
      timestamp: 1,
      value: Infinity,
      min: 1,
      max: Infinity,
      count: 4
    });
  });

  it('sends NaN metric values as strings when logging', async () => {
    const { settings, requests } = fakeServer(() => ({ status: 204 }));
    await new TrackingApi(settings).logBatch('r1', {
      metrics: [{ key: 'loss', value: NaN, step: 2 }],
      params: { lr: '0.1' }
    });
    expect(requests[0].body).toEqual({
      metrics: [{ key: 'loss', value: 'NaN', step: 2 }],
      params: { lr: '0.1' },
      tags: {}
    });
  });
});
