import { TrackingApi } from '../api';
import { HistoryCache } from '../panel/history-cache';
import { loadRuns, runIdFilter } from '../panel/use-compared-runs';
import { fakeServer, IRecordedRequest, runJson } from './fake-server';

function id(n: number): string {
  return n.toString(16).padStart(32, '0');
}

function history(runId: string) {
  return {
    run_id: runId,
    key: 'loss',
    downsampled: false,
    points: [{ step: 0, timestamp: 1, value: parseInt(runId, 16) }]
  };
}

describe('loading a comparison of many runs', () => {
  it('reads 250 runs in two searches, in the order asked', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => id(250 - i));
    const { settings, requests } = fakeServer((request: IRecordedRequest) => {
      const asked: string[] = [...request.body.filter.matchAll(/'(\w+)'/g)].map(
        m => m[1]
      );
      // The server answers in its own order (here: reversed).
      const runs = asked.reverse().map(r => runJson(r, '1'));
      return { status: 200, body: { runs, next_page_token: null } };
    });
    const runs = await loadRuns(new TrackingApi(settings), ids);
    expect(runs.map(r => r.info.run_id)).toEqual(ids);
    expect(requests).toHaveLength(2);
    expect(requests.every(r => r.path.endsWith('/runs/search'))).toBe(true);
    expect(requests[0].body.view).toBe('ALL');
    expect(requests[0].body.max_results).toBe(200);
  });

  it('asks by id for a run the search does not find, to show why', async () => {
    const { settings, requests } = fakeServer((request: IRecordedRequest) =>
      request.path.endsWith('/runs/search')
        ? { status: 200, body: { runs: [runJson(id(1), '1')] } }
        : {
            status: 404,
            body: {
              error: { code: 'RESOURCE_DOES_NOT_EXIST', message: 'gone' }
            }
          }
    );
    await expect(
      loadRuns(new TrackingApi(settings), [id(1), id(2)])
    ).rejects.toThrow('gone');
    expect(requests.map(r => r.path.split('/mlops/api/')[1])).toEqual([
      'runs/search',
      `runs/${id(2)}`
    ]);
  });

  it('quotes run ids into one IN filter', () => {
    expect(runIdFilter(['a1', 'b2'])).toBe("attributes.run_id IN ('a1', 'b2')");
  });

  it('fetches one key of many runs in one request per 100, and caches each', async () => {
    const { settings, requests } = fakeServer((request: IRecordedRequest) => {
      if (request.path.endsWith('/runs/metric-histories')) {
        return {
          status: 200,
          body: { histories: request.query.getAll('run_ids').map(history) }
        };
      }
      return {
        status: 200,
        body: { key: 'loss', downsampled: false, points: [] }
      };
    });
    const cache = new HistoryCache(new TrackingApi(settings));
    const ids = Array.from({ length: 150 }, (_, i) => id(i + 1));
    const histories = await Promise.all(cache.getMany(ids, 'loss', 400));
    expect(histories.map(h => h.points[0].value)).toEqual(
      ids.map((_, i) => i + 1)
    );
    expect(requests.map(r => r.query.getAll('run_ids').length)).toEqual([
      100, 50
    ]);
    expect(requests[0].query.get('key')).toBe('loss');
    expect(requests[0].query.get('max_points')).toBe('400');
    // Cached: the same runs again (or a coarser chart) ask nothing more, and
    // one new run is asked for alone.
    await Promise.all(cache.getMany(ids.slice(0, 10), 'loss', 200));
    expect(await cache.get(id(7), 'loss', 400)).toBe(histories[6]);
    expect(requests).toHaveLength(2);
    await Promise.all(cache.getMany([id(1), id(999)], 'loss', 400));
    expect(requests).toHaveLength(3);
    expect(requests[2].path).toContain(`/runs/${id(999)}/metrics/loss`);
  });
});
