import { nullTranslator } from '@jupyterlab/translation';
import * as React from 'react';
import { act } from 'react';

import { TrackingApi } from '../api';
import { SidebarView } from '../components/sidebar-view';
import { SidebarModel } from '../model';
import { DEFAULT_SETTINGS } from '../settings';
import { experimentJson, fakeServer, runJson } from './fake-server';
import { mountedReactRoot } from './react-root';

// Tell React this is a test environment, so act() works without warnings.
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const trans = nullTranslator.load('jupyter_mlops');

describe('SidebarView', () => {
  const dom = mountedReactRoot();

  it('shows experiments, run status and latest metric values', async () => {
    const { settings } = fakeServer(request => {
      if (request.path.endsWith('/experiments')) {
        return {
          status: 200,
          body: {
            experiments: [experimentJson('3', 'churn')],
            next_page_token: null
          }
        };
      }
      if (request.path.endsWith('/runs/count')) {
        return { status: 200, body: { count: 1 } };
      }
      return {
        status: 200,
        body: {
          runs: [runJson('c'.repeat(32), '3', { loss: 0.123456, acc: 'NaN' })],
          next_page_token: null
        }
      };
    });
    const model = new SidebarModel(new TrackingApi(settings), DEFAULT_SETTINGS);
    await model.refresh();
    act(() => dom.root.render(<SidebarView model={model} trans={trans} />));

    const item = dom.host.querySelector('[data-experiment-id="3"]');
    expect(item?.getAttribute('aria-selected')).toBe('true');
    expect(item?.textContent).toContain('churn');
    expect(item?.textContent).toContain('1 run');
    const run = dom.host.querySelector('.mlops-RunItem');
    expect(run?.querySelector('.mlops-StatusBadge')?.textContent).toBe(
      'Finished'
    );
    expect(run?.querySelector('.mlops-RunItem-meta')?.textContent).toContain(
      '12 s'
    );
    const values = Array.from(run?.querySelectorAll('dd') ?? []).map(
      dd => dd.textContent
    );
    expect(values).toEqual(['NaN', '0.12346']);
    model.dispose();
  });

  it('shows the server error with a retry button', async () => {
    const { settings, requests } = fakeServer(() => ({
      status: 500,
      body: {
        error: {
          code: 'INTERNAL_ERROR',
          message: 'Internal server error',
          field: null
        }
      }
    }));
    const model = new SidebarModel(new TrackingApi(settings), DEFAULT_SETTINGS);
    await model.refresh();
    act(() => dom.root.render(<SidebarView model={model} trans={trans} />));

    const alert = dom.host.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain('Internal server error');
    expect(alert?.textContent).toContain('INTERNAL_ERROR');

    const before = requests.length;
    await act(async () => {
      (alert?.querySelector('button') as HTMLButtonElement).click();
    });
    expect(requests.length).toBeGreaterThan(before);
    model.dispose();
  });
});
