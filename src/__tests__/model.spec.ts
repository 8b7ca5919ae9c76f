import { TrackingApi } from '../api';
import { describeError, SidebarModel } from '../model';
import { DEFAULT_SETTINGS } from '../settings';
import {
  experimentJson,
  fakeServer,
  IRecordedRequest,
  runJson
} from './fake-server';

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);

/** A small in-memory tracking server: two experiments, runs in the first. */
function trackingRoute(state: { failExperiments?: boolean }) {
  return (request: IRecordedRequest) => {
    if (request.path.endsWith('/mlops/api/experiments')) {
      if (state.failExperiments) {
        return {
          status: 503,
          body: {
            error: {
              code: 'TEMPORARILY_UNAVAILABLE',
              message: 'The tracking store is not reachable',
              field: null
            }
          }
        };
      }
      return {
        status: 200,
        body: {
          experiments: [
            experimentJson('2', 'churn'),
            experimentJson('0', 'Default', '')
          ],
          next_page_token: null
        }
      };
    }
    if (request.path.endsWith('/runs/count')) {
      const id = request.query.get('experiment_ids');
      return { status: 200, body: { count: id === '2' ? 2 : 0 } };
    }
    if (request.path.endsWith('/runs/search')) {
      const ids: string[] = request.body.experiment_ids;
      const runs = ids.includes('2')
        ? [runJson(RUN_A, '2', { loss: 0.25 }), runJson(RUN_B, '2')]
        : [];
      return { status: 200, body: { runs, next_page_token: null } };
    }
    return {
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'no route' } }
    };
  };
}

describe('SidebarModel', () => {
  it("loads experiments, their run counts and the newest experiment's runs", async () => {
    const { settings } = fakeServer(trackingRoute({}));
    const model = new SidebarModel(new TrackingApi(settings));
    await model.refresh();

    const state = model.state;
    expect(state.error).toBeNull();
    expect(state.experiments?.map(e => e.name)).toEqual(['churn', 'Default']);
    expect(state.runCounts.get('2')).toBe(2);
    expect(state.runCounts.get('0')).toBe(0);
    expect(state.selectedExperimentId).toBe('2');
    expect(state.runs?.map(r => r.info.run_id)).toEqual([RUN_A, RUN_B]);
    expect(state.runs?.[0].metrics.loss.value).toBe(0.25);
    model.dispose();
  });

  it('selects the default experiment from the settings', async () => {
    const { settings } = fakeServer(trackingRoute({}));
    const model = new SidebarModel(new TrackingApi(settings), {
      ...DEFAULT_SETTINGS,
      defaultExperiment: 'Default'
    });
    await model.refresh();
    expect(model.state.selectedExperimentId).toBe('0');
    expect(model.state.runs).toEqual([]);

    await model.select('2');
    expect(model.state.selectedExperimentId).toBe('2');
    expect(model.state.runs).toHaveLength(2);
    model.dispose();
  });

  it("shows the server's error, keeps the last data, and recovers", async () => {
    const server = { failExperiments: false };
    const { settings } = fakeServer(trackingRoute(server));
    const model = new SidebarModel(new TrackingApi(settings));
    await model.refresh();

    server.failExperiments = true;
    await model.refresh();
    expect(model.state.error).toEqual({
      message: 'The tracking store is not reachable',
      code: 'TEMPORARILY_UNAVAILABLE'
    });
    expect(model.state.loading).toBe(false);
    expect(model.state.experiments).toHaveLength(2);

    server.failExperiments = false;
    await model.refresh();
    expect(model.state.error).toBeNull();
    model.dispose();
  });

  it('refreshes on the interval only while active', async () => {
    jest.useFakeTimers();
    try {
      const { settings, requests } = fakeServer(trackingRoute({}));
      const model = new SidebarModel(new TrackingApi(settings), {
        ...DEFAULT_SETTINGS,
        refreshInterval: 5
      });
      const listCalls = () =>
        requests.filter(r => r.path.endsWith('/experiments')).length;

      model.setActive(true);
      await jest.advanceTimersByTimeAsync(0);
      expect(listCalls()).toBe(1);

      await jest.advanceTimersByTimeAsync(5_000);
      expect(listCalls()).toBe(2);

      model.setActive(false);
      await jest.advanceTimersByTimeAsync(20_000);
      expect(listCalls()).toBe(2);

      model.setActive(true);
      model.setSettings({ ...DEFAULT_SETTINGS, refreshInterval: 0 });
      await jest.advanceTimersByTimeAsync(20_000);
      expect(listCalls()).toBe(3);
      model.dispose();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('describeError', () => {
  it('says what non-Error values are', () => {
    expect(describeError('boom')).toEqual({ message: 'boom', code: null });
  });
});
