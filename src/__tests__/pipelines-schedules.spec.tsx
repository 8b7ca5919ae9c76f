import * as React from 'react';
import { act } from 'react';

import {
  IPipelineSchedule,
  ISavedPipeline,
  PipelinesApi
} from '../pipelines/api';
import {
  describeCron,
  formatLocalTime,
  formatTimeUntil
} from '../pipelines/cron-words';
import { SchedulesView } from '../pipelines/schedules-view';
import { formFieldOf, SubmitForm } from '../pipelines/submit-form';
import { fakeServer, IRecordedRequest } from './fake-server';
import { mountedReactRoot } from './react-root';

// Tell React this is a test environment, so act() works without warnings.
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const HOUR = 3_600_000;
const API = '/lab-base/mlops/api/';

function scheduleJson(
  overrides: Partial<IPipelineSchedule> = {}
): IPipelineSchedule {
  return {
    schedule_id: '7',
    name: 'nightly',
    owner: 'ada',
    cron: '0 3 * * *',
    pipeline_name: 'train',
    arguments: { epochs: 3 },
    backend: 'local',
    policy: 'skip',
    enabled: true,
    queued: 0,
    next_fire_time: Date.now() + 2 * HOUR + 30_000,
    last_run_id: 'a'.repeat(32),
    created_time: 1_700_000_000_000,
    ...overrides
  };
}

const pipeline: ISavedPipeline = {
  pipeline_id: '4',
  name: 'train',
  owner: 'ada',
  description: '',
  source_path: 'flows.py',
  created_time: 1_700_000_000_000,
  updated_time: 1_700_000_000_000,
  spec: {
    pipelineInfo: { name: 'train' },
    root: {
      inputDefinitions: {
        parameters: {
          epochs: { parameterType: 'NUMBER_INTEGER', defaultValue: 3 }
        }
      },
      dag: { tasks: {} }
    }
  }
};

/** Type into an input the way a user does, so React's onChange sees it. */
function type(input: Element | null, value: string): void {
  const element = input as HTMLInputElement;
  const setter = Object.getOwnPropertyDescriptor(
    HTMLInputElement.prototype,
    'value'
  )?.set;
  setter?.call(element, value);
  element.dispatchEvent(new Event('input', { bubbles: true }));
}

/** Let the fake server answer and React render what follows. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await act(async () => {
      await new Promise(resolve => setTimeout(resolve, 0));
    });
  }
}

function click(element: Element | null): Promise<void> {
  return act(async () => {
    (element as HTMLElement).click();
  });
}

describe('describeCron', () => {
  it.each([
    ['* * * * *', 'every minute'],
    ['*/15 * * * *', 'every 15 minutes'],
    ['5 * * * *', 'every hour at :05'],
    ['@hourly', 'every hour at :00'],
    ['30 */6 * * *', 'every 6 hours at :30'],
    ['0 3 * * *', 'every day at 03:00 UTC'],
    ['0 6 * * 1-5', 'Monday to Friday at 06:00 UTC'],
    ['0 6 * * 1,3', 'Monday and Wednesday at 06:00 UTC'],
    ['0 0 * * 7', 'Sunday at 00:00 UTC'],
    ['15 8 1 * *', 'on day 1 of every month at 08:15 UTC'],
    ['0 0 1 1 *', 'every year on 1 January at 00:00 UTC']
  ])('reads %s as "%s"', (cron, words) => {
    expect(describeCron(cron)).toBe(words);
  });

  it.each([
    'every minute',
    '1-5 * * * *',
    '0 3 * * MON',
    '0 3 1 * 1',
    '0 0 0 * * *',
    '61 * * * *'
  ])('leaves %s to the expression itself', cron => {
    expect(describeCron(cron)).toBeNull();
  });

  it('says how far the next fire time is', () => {
    expect(formatTimeUntil(10 * 60_000 + 5_000, 0)).toBe('in 10 min 05 s');
    expect(formatTimeUntil(2 * HOUR, 0)).toBe('in 2 h 00 min');
    expect(formatTimeUntil(0, 5)).toBe('due now');
  });
});

describe('formFieldOf', () => {
  it('finds the form field a server error names', () => {
    expect(formFieldOf('cron', ['x'])).toBe('cron');
    expect(formFieldOf('arguments.x', ['x'])).toBe('x');
    expect(formFieldOf('arguments.x[0]', ['x'])).toBe('x');
    expect(formFieldOf('arguments.y', ['x'])).toBeNull();
    expect(formFieldOf('spec', ['x'])).toBeNull();
    expect(formFieldOf(null, ['x'])).toBeNull();
  });
});

describe('Schedules in the panel', () => {
  const dom = mountedReactRoot();

  it('lists schedules with cron in words, next fire time and last run', async () => {
    const active = scheduleJson();
    const paused = scheduleJson({
      schedule_id: '8',
      name: 'train',
      cron: '*/7 1 2 3 *',
      enabled: false,
      policy: 'queue',
      last_run_id: null
    });
    const { settings } = fakeServer(() => ({
      status: 200,
      body: { schedules: [active, paused] }
    }));
    const opened: string[] = [];
    act(() =>
      dom.root.render(
        <SchedulesView
          api={new PipelinesApi(settings)}
          openRun={id => opened.push(id)}
        />
      )
    );
    await settle();

    const row = dom.host.querySelector('[data-schedule-id="7"]');
    expect(row?.textContent).toContain('nightly');
    expect(row?.querySelector('.jp-mlops-schedule-pipeline')?.textContent).toBe(
      'train'
    );
    expect(row?.querySelector('.jp-mlops-schedule-cron')?.textContent).toBe(
      'every day at 03:00 UTC0 3 * * *'
    );
    const time = row?.querySelector('.jp-mlops-schedule-next time');
    expect(time?.getAttribute('datetime')).toBe(
      new Date(active.next_fire_time).toISOString()
    );
    expect(time?.textContent).toBe(formatLocalTime(active.next_fire_time));
    expect(
      row?.querySelector('.jp-mlops-schedule-next small')?.textContent
    ).toMatch(/^in 2 h 0\d min$/);
    expect(row?.querySelector('.jp-mlops-schedule-state')?.textContent).toBe(
      'enabled'
    );
    await click(
      row?.querySelector('.jp-mlops-schedule-last-run button') ?? null
    );
    expect(opened).toEqual([active.last_run_id]);

    // A paused schedule has no next fire time; an unusual cron is shown as is.
    const other = dom.host.querySelector('[data-schedule-id="8"]');
    expect(other?.querySelector('.jp-mlops-schedule-next')?.textContent).toBe(
      '—'
    );
    expect(other?.querySelector('.jp-mlops-schedule-cron')?.textContent).toBe(
      '*/7 1 2 3 *'
    );
    expect(other?.querySelector('.jp-mlops-schedule-state')?.textContent).toBe(
      'paused'
    );
    expect(other?.querySelector('.jp-mlops-toggle-schedule')?.textContent).toBe(
      'Resume'
    );
    expect(
      other?.querySelector('.jp-mlops-schedule-last-run')?.textContent
    ).toBe('none yet');
  });

  it('pauses, and deletes only once confirmed', async () => {
    let current = scheduleJson();
    const { settings, requests } = fakeServer((request: IRecordedRequest) => {
      if (request.method === 'PATCH') {
        current = { ...current, ...request.body };
        return { status: 200, body: { schedule: current } };
      }
      if (request.method === 'DELETE') {
        return { status: 204 };
      }
      return { status: 200, body: { schedules: [current] } };
    });
    act(() =>
      dom.root.render(
        <SchedulesView
          api={new PipelinesApi(settings)}
          openRun={() => undefined}
        />
      )
    );
    await settle();
    const row = (): Element | null =>
      dom.host.querySelector('[data-schedule-id="7"]');

    await click(row()?.querySelector('.jp-mlops-toggle-schedule') ?? null);
    await settle();
    const patch = requests.find(r => r.method === 'PATCH');
    expect(patch?.path).toBe(`${API}pipeline-schedules/7`);
    expect(patch?.body).toEqual({ enabled: false });
    expect(row()?.getAttribute('data-enabled')).toBe('false');
    expect(row()?.querySelector('.jp-mlops-toggle-schedule')?.textContent).toBe(
      'Resume'
    );

    // Delete asks first; Keep keeps it.
    await click(row()?.querySelector('.jp-mlops-delete-schedule') ?? null);
    expect(row()?.querySelector('.jp-mlops-confirm')?.textContent).toContain(
      'Delete “nightly”?'
    );
    await click(row()?.querySelector('.jp-mlops-keep') ?? null);
    expect(row()?.querySelector('.jp-mlops-confirm')).toBeNull();
    expect(requests.some(r => r.method === 'DELETE')).toBe(false);

    await click(row()?.querySelector('.jp-mlops-delete-schedule') ?? null);
    await click(row()?.querySelector('.jp-mlops-confirm-delete') ?? null);
    await settle();
    const deletion = requests.find(r => r.method === 'DELETE');
    expect(deletion?.path).toBe(`${API}pipeline-schedules/7`);
    expect(row()).toBeNull();
  });

  it('schedules from the submit form and shows the server error at its field', async () => {
    const answers: { status: number; body?: unknown }[] = [
      {
        status: 400,
        body: {
          error: {
            code: 'INVALID_PARAMETER_VALUE',
            message: "cron '61 * * * *' is not a valid cron expression",
            field: 'cron'
          }
        }
      },
      {
        status: 400,
        body: {
          error: {
            code: 'INVALID_PARAMETER_VALUE',
            message: 'epochs must be at most 100',
            field: 'arguments.epochs'
          }
        }
      },
      { status: 201, body: { schedule: scheduleJson() } }
    ];
    const { settings, requests } = fakeServer(
      () => answers.shift() ?? { status: 500 }
    );
    const api = new PipelinesApi(settings);
    const ran: unknown[] = [];
    const scheduled: IPipelineSchedule[] = [];
    act(() =>
      dom.root.render(
        <SubmitForm
          pipeline={pipeline}
          onSubmit={async args => {
            ran.push(args);
          }}
          onSchedule={async (args, options) => {
            scheduled.push(await api.createSchedule('4', args, options));
          }}
        />
      )
    );
    const form = dom.host.querySelector('form') as HTMLFormElement;
    expect(form.querySelector('input[name=cron]')).toBeNull();
    await click(form.querySelector('input[value=schedule]'));
    const submit = form.querySelector('button[type=submit]');
    expect(submit?.textContent).toBe('Schedule train');
    expect(form.querySelector('.jp-mlops-cron-words')?.textContent).toBe(
      'every hour at :00'
    );

    await act(async () =>
      type(form.querySelector('input[name=cron]'), '61 * * * *')
    );
    await act(async () => {
      const policy = form.querySelector(
        'select[name=policy]'
      ) as HTMLSelectElement;
      policy.value = 'queue';
      policy.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await click(submit);
    await settle();
    expect(requests[0].body).toEqual({
      pipeline_id: '4',
      arguments: { epochs: 3 },
      cron: '61 * * * *',
      policy: 'queue'
    });
    const cronError = form.querySelector('.jp-mlops-field-error');
    expect(cronError?.getAttribute('data-field')).toBe('cron');
    expect(cronError?.textContent).toContain('not a valid cron expression');
    // It sits with the cron input, in the same field.
    expect(
      cronError?.closest('label')?.querySelector('input[name=cron]')
    ).not.toBeNull();

    await click(submit);
    await settle();
    const argumentError = form.querySelector('.jp-mlops-field-error');
    expect(argumentError?.getAttribute('data-field')).toBe('epochs');
    expect(
      argumentError?.closest('label')?.querySelector('input[name=epochs]')
    ).not.toBeNull();
    // Editing the field takes its error away.
    await act(async () => type(form.querySelector('input[name=epochs]'), '4'));
    expect(form.querySelector('.jp-mlops-field-error')).toBeNull();

    await act(async () =>
      type(form.querySelector('input[name=cron]'), '0 6 * * 1-5')
    );
    expect(form.querySelector('.jp-mlops-cron-words')?.textContent).toBe(
      'Monday to Friday at 06:00 UTC'
    );
    await act(async () =>
      type(form.querySelector('input[name=schedule-name]'), 'weekday mornings')
    );
    await click(submit);
    await settle();
    expect(requests[2].body).toEqual({
      pipeline_id: '4',
      arguments: { epochs: 4 },
      cron: '0 6 * * 1-5',
      policy: 'queue',
      name: 'weekday mornings'
    });
    expect(scheduled.map(s => s.schedule_id)).toEqual(['7']);
    expect(form.querySelector('.jp-mlops-field-error')).toBeNull();
    expect(ran).toEqual([]);
  });

  it('checks arguments and an empty cron before asking the server', async () => {
    const { settings, requests } = fakeServer(() => ({ status: 500 }));
    const api = new PipelinesApi(settings);
    act(() =>
      dom.root.render(
        <SubmitForm
          pipeline={pipeline}
          onSubmit={async () => undefined}
          onSchedule={async (args, options) => {
            await api.createSchedule('4', args, options);
          }}
        />
      )
    );
    const form = dom.host.querySelector('form') as HTMLFormElement;
    await click(form.querySelector('input[value=schedule]'));
    await act(async () => type(form.querySelector('input[name=cron]'), ' '));
    await act(async () =>
      type(form.querySelector('input[name=epochs]'), '2.5')
    );
    await click(form.querySelector('button[type=submit]'));
    await settle();

    const errors = Array.from(form.querySelectorAll('.jp-mlops-field-error'));
    expect(errors.map(e => e.getAttribute('data-field')).sort()).toEqual([
      'cron',
      'epochs'
    ]);
    expect(requests).toEqual([]);
  });

  it('still runs now by default', async () => {
    const ran: unknown[] = [];
    act(() =>
      dom.root.render(
        <SubmitForm
          pipeline={pipeline}
          onSubmit={async args => {
            ran.push(args);
          }}
          onSchedule={async () => {
            throw new Error('not this one');
          }}
        />
      )
    );
    const submit = dom.host.querySelector('button[type=submit]');
    expect(submit?.textContent).toBe('Run train');
    await click(submit);
    await settle();
    expect(ran).toEqual([{ epochs: 3 }]);
  });
});
