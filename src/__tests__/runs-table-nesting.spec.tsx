import { CommandRegistry } from '@lumino/commands';
import { nullTranslator } from '@jupyterlab/translation';
import * as React from 'react';
import { act } from 'react';

import type { IRun } from '../api';
import {
  columnChoiceKey,
  columnsFor,
  withColumnChoice
} from '../panel/column-choice';
import { resolveColumns } from '../panel/columns';
import { FilterBox } from '../panel/filter-box';
import { buildRunTree } from '../panel/runs-tree';
import { readRunLink, RUN_LINK_MIME_TYPE, RunLinkRenderer } from '../run-link';
import { mountedReactRoot } from './react-root';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const trans = nullTranslator.load('jupyter_mlops');

function run(name: string, parent: string | null = null): IRun {
  return {
    info: {
      run_id: name,
      run_name: name,
      experiment_id: '1',
      user: 'ada',
      status: 'FINISHED',
      start_time: 1000,
      end_time: 4000,
      parent_run_id: parent,
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

const shown = (rows: ReturnType<typeof buildRunTree>) =>
  rows.map(row => `${'  '.repeat(row.depth)}${row.run.info.run_id}`);

describe('buildRunTree', () => {
  // Newest first, as the server sends them: the steps before their pipeline.
  const runs = [
    run('step-2', 'pipeline'),
    run('step-1', 'pipeline'),
    run('pipeline'),
    run('trial-1', 'sweep'),
    run('alone'),
    run('orphan', 'not-loaded')
  ];

  it('lists children under their loaded parent, not at the top level', () => {
    const rows = buildRunTree(runs, new Set());
    expect(shown(rows)).toEqual(['pipeline', 'trial-1', 'alone', 'orphan']);
    expect(rows[0]).toMatchObject({ childCount: 2, expanded: false });
    // The parent of trial-1 and orphan is not among the loaded runs.
    expect(rows[1].childCount).toBe(0);
  });

  it('shows the children of an expanded parent, nested deeper', () => {
    const deep = [...runs, run('sub-step', 'step-1')];
    expect(shown(buildRunTree(deep, new Set(['pipeline'])))).toEqual([
      'pipeline',
      '  step-2',
      '  step-1',
      'trial-1',
      'alone',
      'orphan'
    ]);
    expect(
      shown(buildRunTree(deep, new Set(['pipeline', 'step-1'])))
    ).toContain('    sub-step');
    // An expanded child under a collapsed parent stays hidden.
    expect(shown(buildRunTree(deep, new Set(['step-1'])))).not.toContain(
      '    sub-step'
    );
  });
});

describe('column choice per experiment', () => {
  const keys = { metrics: ['acc', 'loss'], params: ['lr', 'seed'] };
  const defaults = {
    visibleRunColumns: ['status', 'params', 'metrics'],
    runColumnsByExperiment: {}
  };

  it('shows the params and metrics of the runs by default', () => {
    expect(columnsFor(defaults, ['1'], keys)).toEqual({
      columns: [
        'status',
        'params.lr',
        'params.seed',
        'metrics.acc',
        'metrics.loss'
      ],
      chosen: false
    });
    expect(
      resolveColumns(['params', 'params.seed'], [], ['lr', 'seed'])
    ).toEqual(['params.lr', 'params.seed']);
  });

  it('keeps a choice for its experiments only', () => {
    const choices = withColumnChoice({}, ['2', '1'], ['metrics.loss']);
    expect(choices).toEqual({ '1,2': ['metrics.loss'] });
    const settings = { ...defaults, runColumnsByExperiment: choices };
    expect(columnsFor(settings, ['1', '2'], keys)).toEqual({
      columns: ['metrics.loss'],
      chosen: true
    });
    expect(columnsFor(settings, ['1'], keys).chosen).toBe(false);
    expect(columnChoiceKey(['10', '9'])).toBe('10,9');
    // Forgetting it brings the default columns back.
    expect(withColumnChoice(choices, ['1', '2'], null)).toEqual({});
  });
});

describe('FilterBox', () => {
  const mounted = mountedReactRoot();
  const keys = { metrics: ['loss'], params: [], tags: [] };

  function typeInto(input: HTMLInputElement, value: string) {
    const setter = Object.getOwnPropertyDescriptor(
      HTMLInputElement.prototype,
      'value'
    )!.set!;
    act(() => {
      setter.call(input, value);
      input.setSelectionRange(value.length, value.length);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
  }

  function press(input: HTMLInputElement, key: string): boolean {
    const event = new KeyboardEvent('keydown', {
      key,
      bubbles: true,
      cancelable: true
    });
    act(() => {
      input.dispatchEvent(event);
    });
    return event.defaultPrevented;
  }

  it('keeps the text on Escape and applies it on the next Enter', () => {
    const applied: string[] = [];
    act(() =>
      mounted.root.render(
        <FilterBox
          value=""
          error={null}
          keys={keys}
          onApply={filter => applied.push(filter)}
          trans={trans}
        />
      )
    );
    const input = mounted.host.querySelector('input')!;
    typeInto(input, 'metrics.lo');
    expect(mounted.host.querySelector('[role="listbox"]')).not.toBeNull();
    // Escape closes the list, and is kept from the search box (which would
    // clear itself).
    expect(press(input, 'Escape')).toBe(true);
    expect(mounted.host.querySelector('[role="listbox"]')).toBeNull();
    expect(press(input, 'Escape')).toBe(true);
    expect(input.value).toBe('metrics.lo');
    press(input, 'Enter');
    expect(applied).toEqual(['metrics.lo']);
  });

  it('offers nothing in an emptied box, so Enter applies no filter', () => {
    const applied: string[] = [];
    act(() =>
      mounted.root.render(
        <FilterBox
          value="metrics.loss < 1"
          error={null}
          keys={keys}
          onApply={filter => applied.push(filter)}
          trans={trans}
        />
      )
    );
    const input = mounted.host.querySelector('input')!;
    typeInto(input, '');
    expect(mounted.host.querySelector('[role="listbox"]')).toBeNull();
    press(input, 'Enter');
    expect(applied).toEqual(['']);
    expect(input.value).toBe('');
  });
});

describe('run link renderer', () => {
  it('reads the run from the bundle and rejects one without an id', () => {
    expect(readRunLink({ run_id: 'abc', run_name: 'demo' })).toEqual({
      run_id: 'abc',
      run_name: 'demo',
      experiment_id: null
    });
    expect(readRunLink({ run_name: 'demo' })).toBeNull();
    expect(readRunLink('abc')).toBeNull();
  });

  it('opens the run in the panel when its button is clicked', async () => {
    const commands = new CommandRegistry();
    const opened: unknown[] = [];
    commands.addCommand('mlops:open-run', {
      execute: args => {
        opened.push(args['runId']);
      }
    });
    const renderer = new RunLinkRenderer(commands, trans);
    await renderer.renderModel({
      data: {
        [RUN_LINK_MIME_TYPE]: { run_id: 'f'.repeat(32), run_name: 'baseline' }
      }
    } as any);
    const button = renderer.node.querySelector('button')!;
    expect(button.textContent).toBe('View run baseline');
    button.click();
    expect(opened).toEqual(['f'.repeat(32)]);
  });
});
