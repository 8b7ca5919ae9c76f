import { nullTranslator } from '@jupyterlab/translation';
import * as React from 'react';
import { act } from 'react';

import { type IRun, type RunStatus, TrackingApi } from '../api';
import { RunLogsTab } from '../panel/run-logs-tab';
import {
  consoleLines,
  nextPollDelay,
  POLL_MAX_MS,
  POLL_MIN_MS
} from '../panel/run-logs-logic';
import { fakeServer, type IRecordedRequest } from './fake-server';
import { mountedReactRoot } from './react-root';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const trans = nullTranslator.load('jupyter_mlops');

function run(status: RunStatus): IRun {
  return {
    info: {
      run_id: 'r1',
      run_name: 'train',
      experiment_id: '1',
      user: 'ada',
      status,
      start_time: 1000,
      end_time: status === 'RUNNING' ? null : 4000,
      parent_run_id: null,
      lifecycle_stage: 'active',
      artifact_uri: ''
    },
    params: {},
    tags: {},
    metrics: {},
    inputs: { datasets: [], models: [] },
    outputs: { models: [] }
  };
}

/** A server holding `files` (path to text) as the run's artifacts. */
function artifactServer(files: Map<string, string>) {
  return fakeServer((request: IRecordedRequest) => {
    const prefix = '/lab-base/mlops/api/runs/r1/artifacts';
    if (request.path === prefix) {
      const folder = request.query.get('path') ?? '';
      const listed = [...files.entries()]
        .filter(([path]) => path.startsWith(folder + '/'))
        .map(([path, text]) => ({
          path,
          is_dir: false,
          file_size: new TextEncoder().encode(text).length
        }));
      return { status: 200, body: { files: listed } };
    }
    const path = decodeURIComponent(request.path.slice(prefix.length + 1));
    const text = files.get(path);
    return text === undefined
      ? { status: 404, body: { error: { code: 'NOT_FOUND', message: path } } }
      : { status: 200, body: text, contentType: 'text/plain' };
  });
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) {
    await act(async () => {
      await Promise.resolve();
    });
  }
};

describe('consoleLines', () => {
  it('shows a log as a terminal would', () => {
    const log =
      '\u001b[32mstarting\u001b[0m\r\n' +
      'epoch 1:  10%\repoch 1:  50%\repoch 1: 100%\n' +
      'done\n';
    expect(consoleLines(log)).toEqual(['starting', 'epoch 1: 100%', 'done']);
    expect(consoleLines('')).toEqual([]);
  });
});

describe('nextPollDelay', () => {
  it('backs off while the log is unchanged and comes back when it grows', () => {
    let delay = POLL_MIN_MS;
    const delays = [];
    for (let i = 0; i < 6; i++) {
      delay = nextPollDelay(delay, false);
      delays.push(delay);
    }
    expect(delays[0]).toBe(2 * POLL_MIN_MS);
    expect(delays[delays.length - 1]).toBe(POLL_MAX_MS);
    expect(nextPollDelay(POLL_MAX_MS, true)).toBe(POLL_MIN_MS);
  });
});

describe('RunLogsTab', () => {
  const dom = mountedReactRoot();
  afterEach(() => jest.useRealTimers());

  it('shows the tail of a long log first, earlier lines on demand, and the exception', async () => {
    const lines = Array.from({ length: 2500 }, (_, i) => `line ${i + 1}`);
    const files = new Map([
      ['logs/console.txt', lines.join('\n') + '\n'],
      [
        'error/traceback.txt',
        'Traceback (most recent call last):\nValueError: bad\n'
      ]
    ]);
    const { settings } = artifactServer(files);
    const api = new TrackingApi(settings);
    await act(async () =>
      dom.root.render(
        <RunLogsTab
          api={api}
          run={run('FAILED')}
          visible={true}
          trans={trans}
        />
      )
    );
    await flush();

    const output = () => dom.host.querySelector('.mlops-RunLogs-output')!;
    expect(output().textContent!.split('\n')[0]).toBe('line 1501');
    expect(output().textContent!.endsWith('line 2500')).toBe(true);
    expect(dom.host.textContent).toContain(
      'Showing the last 1000 of 2500 lines'
    );
    expect(
      dom.host.querySelector('.mlops-RunLogs-traceback')!.textContent
    ).toBe('Traceback (most recent call last):\nValueError: bad');

    const earlier = dom.host.querySelector<HTMLButtonElement>(
      '.mlops-RunLogs-earlier'
    )!;
    await act(async () => earlier.click());
    expect(output().textContent!.split('\n')[0]).toBe('line 501');
    await act(async () => earlier.click());
    expect(output().textContent!.split('\n')[0]).toBe('line 1');
    expect(dom.host.querySelector('.mlops-RunLogs-earlier')).toBeNull();
  });

  it('says so when a run recorded no output', async () => {
    const { settings } = artifactServer(new Map());
    await act(async () =>
      dom.root.render(
        <RunLogsTab
          api={new TrackingApi(settings)}
          run={run('FINISHED')}
          visible={true}
          trans={trans}
        />
      )
    );
    await flush();
    expect(dom.host.textContent).toContain(
      'This run recorded no console output.'
    );
  });

  it('reads nothing while the run page is hidden, and catches up when shown', async () => {
    jest.useFakeTimers();
    const files = new Map([['logs/console.txt', 'step 1\n']]);
    const { settings, requests } = artifactServer(files);
    const api = new TrackingApi(settings);
    const render = (visible: boolean) =>
      act(async () =>
        dom.root.render(
          <RunLogsTab
            api={api}
            run={run('RUNNING')}
            visible={visible}
            trans={trans}
          />
        )
      );
    await render(false);
    await act(async () => jest.advanceTimersByTime(10 * POLL_MAX_MS));
    await flush();
    expect(requests).toEqual([]);

    await render(true);
    await flush();
    expect(dom.host.querySelector('.mlops-RunLogs-output')!.textContent).toBe(
      'step 1'
    );
  });

  it('follows a running run, fetching the log again only when it grew', async () => {
    jest.useFakeTimers();
    const files = new Map([['logs/console.txt', 'step 1\n']]);
    const { settings, requests } = artifactServer(files);
    const api = new TrackingApi(settings);
    await act(async () =>
      dom.root.render(
        <RunLogsTab
          api={api}
          run={run('RUNNING')}
          visible={true}
          trans={trans}
        />
      )
    );
    await flush();
    const output = () =>
      dom.host.querySelector('.mlops-RunLogs-output')!.textContent;
    const downloads = () =>
      requests.filter(r => r.path.endsWith('/artifacts/logs%2Fconsole.txt'))
        .length;
    expect(output()).toBe('step 1');
    expect(dom.host.textContent).toContain('Following live output');
    expect(downloads()).toBe(1);

    // Unchanged: listed again, not downloaded again
    await act(async () => jest.advanceTimersByTime(POLL_MIN_MS));
    await flush();
    expect(downloads()).toBe(1);

    files.set('logs/console.txt', 'step 1\nstep 2\n');
    await act(async () => jest.advanceTimersByTime(2 * POLL_MIN_MS));
    await flush();
    expect(output()).toBe('step 1\nstep 2');
    expect(downloads()).toBe(2);

    // Once the run ended, no more polling
    await act(async () =>
      dom.root.render(
        <RunLogsTab
          api={api}
          run={run('FINISHED')}
          visible={true}
          trans={trans}
        />
      )
    );
    await flush();
    const seen = requests.length;
    await act(async () => jest.advanceTimersByTime(10 * POLL_MAX_MS));
    await flush();
    expect(requests.length).toBe(seen);
    expect(dom.host.textContent).not.toContain('Following live output');
  });
});
