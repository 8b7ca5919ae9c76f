import { TrackingApi } from '../api';
import { HistoryCache } from '../panel/history-cache';
import {
  DEFAULT_ORDER,
  FIRST_PAGE,
  mergeRuns,
  RunsQuery
} from '../panel/runs-query';
import { fakeServer, IRecordedRequest, runJson } from './fake-server';

function id(n: number): string {
  return n.toString(16).padStart(32, '0');
}

/** A tracking server with `total` runs in experiment 1, newest first. */
function runsServer(total: number, options: { badFilter?: boolean } = {}) {
  const all = Array.from({ length: total }, (_, i) => {
    const run = runJson(id(i + 1), '1', { loss: i / total });
    run.info.start_time = 1_700_000_000_000 - i * 1000;
    return run;
  });
  return fakeServer((request: IRecordedRequest) => {
    if (request.path.endsWith('/runs/count')) {
      return { status: 200, body: { count: total } };
    }
    if (request.path.endsWith('/runs/search')) {
      const body = request.body;
      if (options.badFilter && body.filter) {
        return {
          status: 400,
          body: {
            error: {
              code: 'INVALID_PARAMETER_VALUE',
              message:
                "Invalid filter at column 15: expected a value after '<'",
              field: 'filter'
            }
          }
        };
      }
      const start = body.page_token ? Number(body.page_token) : 0;
      const items = all.slice(start, start + body.max_results);
      const next =
        start + body.max_results < all.length
          ? String(start + body.max_results)
          : null;
      return { status: 200, body: { runs: items, next_page_token: next } };
    }
    return {
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: request.path } }
    };
  });
}

describe('RunsQuery', () => {
  it('loads a small first page, counts, then pages on demand', async () => {
    const { settings, requests } = runsServer(1500);
    const query = new RunsQuery(new TrackingApi(settings));
    await query.search({ experimentIds: ['1'], orderBy: 'metrics.loss ASC' });
    expect(query.state.runs).toHaveLength(FIRST_PAGE);
    expect(query.state.total).toBe(1500);
    const first = requests.find(r => r.path.endsWith('/runs/search'))!;
    expect(first.body).toMatchObject({
      experiment_ids: ['1'],
      max_results: FIRST_PAGE,
      order_by: ['metrics.loss ASC', DEFAULT_ORDER]
    });

    await query.loadMore();
    expect(query.state.runs).toHaveLength(1200);
    await query.loadMore();
    expect(query.state.runs).toHaveLength(1500);
    expect(query.state.nextPageToken).toBeNull();
    const before = requests.length;
    await query.loadMore();
    expect(requests.length).toBe(before);
  });

  it('keeps the runs and shows the server message for a bad filter', async () => {
    const { settings } = runsServer(3, { badFilter: true });
    const query = new RunsQuery(new TrackingApi(settings));
    await query.search({ experimentIds: ['1'] });
    await query.search({ filter: 'metrics.loss <' });
    expect(query.state.filterError).toContain('Invalid filter at column 15');
    expect(query.state.error).toBeNull();
    expect(query.state.runs).toHaveLength(3);
  });

  it('re-reads running runs and adds new ones when polled', async () => {
    const running = runJson(id(1), '1', { loss: 1 });
    running.info.status = 'RUNNING';
    running.info.end_time = null;
    let finished = false;
    const { settings, requests } = fakeServer(request => {
      if (request.path.endsWith('/runs/count')) {
        return { status: 200, body: { count: 1 } };
      }
      const filter: string | undefined = request.body.filter;
      if (filter?.startsWith('attributes.run_id IN')) {
        const updated = runJson(id(1), '1', { loss: 0.5 });
        updated.info.status = finished ? 'FINISHED' : 'RUNNING';
        return {
          status: 200,
          body: { runs: [updated], next_page_token: null }
        };
      }
      if (filter?.startsWith('attributes.start_time >')) {
        const fresh = runJson(id(2), '1', {});
        fresh.info.start_time = running.info.start_time + 5;
        return { status: 200, body: { runs: [fresh], next_page_token: null } };
      }
      return { status: 200, body: { runs: [running], next_page_token: null } };
    });
    const query = new RunsQuery(new TrackingApi(settings));
    await query.search({ experimentIds: ['1'] });
    finished = true;
    await query.poll();
    expect(query.state.runs.map(r => r.info.run_id)).toEqual([id(2), id(1)]);
    expect(query.state.runs[1].info.status).toBe('FINISHED');
    expect(query.state.runs[1].metrics.loss.value).toBe(0.5);
    expect(query.state.total).toBe(2);
    const idFilter = requests.find(r =>
      r.body?.filter?.startsWith('attributes.run_id')
    )!;
    expect(idFilter.body.filter).toBe(`attributes.run_id IN ('${id(1)}')`);
    // Nothing is running any more: the next poll only looks for new runs.
    const count = requests.length;
    await query.poll();
    expect(
      requests.slice(count).every(r => !r.body?.filter?.includes('run_id'))
    ).toBe(true);
  });

  it('merges updates in place, drops deleted runs and prepends fresh ones', () => {
    const a = runJson(id(1), '1');
    const b = runJson(id(2), '1');
    const deleted = { ...runJson(id(2), '1') };
    deleted.info = { ...deleted.info, lifecycle_stage: 'deleted' };
    const c = runJson(id(3), '1');
    expect(
      mergeRuns([a, b], [deleted], [c, a]).map(r => r.info.run_id)
    ).toEqual([id(3), id(1)]);
  });
});

describe('HistoryCache', () => {
  it('reuses a history fetched at a somewhat higher resolution', async () => {
    const { settings, requests } = fakeServer(request => ({
      status: 200,
      body: {
        key: 'loss',
        downsampled: true,
        points: [{ step: 0, timestamp: 1, value: 1, min: 0, max: 2, count: 5 }]
      }
    }));
    const cache = new HistoryCache(new TrackingApi(settings));
    const wide = await cache.get('r1', 'loss', 1400);
    expect(await cache.get('r1', 'loss', 700)).toBe(wide);
    expect(requests).toHaveLength(1);
    expect(requests[0].query.get('max_points')).toBe('1400');
    // Far coarser, or finer, or another key: a new request.
    await cache.get('r1', 'loss', 200);
    await cache.get('r1', 'loss', 2000);
    await cache.get('r1', 'acc', 700);
    expect(requests).toHaveLength(4);
    // A running run's histories are dropped and fetched again.
    cache.invalidate('r1');
    await cache.get('r1', 'loss', 1400);
    expect(requests).toHaveLength(5);
  });
});
