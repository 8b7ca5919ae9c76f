import {
  RenderMimeRegistry,
  standardRendererFactories
} from '@jupyterlab/rendermime';
import * as React from 'react';
import { act } from 'react';

import { fittedRange } from '../charts/axis-range';
import { barFractions, singleValues } from '../charts/single-value';
import { SingleValueCard } from '../charts/single-value-card';
import { Markdown } from '../panel/markdown';
import { errorExcerpt } from '../panel/run-error-logic';
import { childRunsFilter } from '../panel/use-run-family';
import { runIdsFilter } from '../panel/use-run-names';
import {
  parameterTypeLabel,
  parseArgument
} from '../pipelines/pipeline-arguments';
import { mountedReactRoot } from './react-root';

// Tell React this is a test environment, so act() works without warnings.
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

describe('Markdown', () => {
  const dom = mountedReactRoot();
  const rendermime = new RenderMimeRegistry({
    initialFactories: standardRendererFactories
  });

  function Page(props: { show: boolean; source: string }): JSX.Element {
    // As a tab switch does: the whole section goes, host node and all.
    return props.show ? (
      <section>
        <Markdown source={props.source} rendermime={rendermime} />
      </section>
    ) : (
      <p>metrics</p>
    );
  }

  it('leaves without an error when React removes its node first', async () => {
    const errors: unknown[] = [];
    const onError = (event: ErrorEvent) => errors.push(event.error);
    window.addEventListener('error', onError);
    try {
      await act(async () =>
        dom.root.render(<Page show={true} source="a note" />)
      );
      expect(dom.host.querySelector('.mlops-Markdown')!.textContent).toContain(
        'a note'
      );
      await act(async () =>
        dom.root.render(<Page show={true} source="an edited note" />)
      );
      expect(dom.host.querySelector('.mlops-Markdown')!.textContent).toBe(
        'an edited note'
      );
      await act(async () =>
        dom.root.render(<Page show={false} source="an edited note" />)
      );
      expect(dom.host.textContent).toBe('metrics');
      await act(async () =>
        dom.root.render(<Page show={true} source="back again" />)
      );
      expect(dom.host.querySelector('.mlops-Markdown')!.textContent).toBe(
        'back again'
      );
    } finally {
      window.removeEventListener('error', onError);
    }
    expect(errors).toEqual([]);
  });
});

describe('fittedRange', () => {
  it('fits the y axis to the data, not to 0-100', () => {
    const [low, high] = fittedRange(0.405, 0.45);
    expect(low).toBeGreaterThan(0.4);
    expect(low).toBeLessThan(0.405);
    expect(high).toBeGreaterThan(0.45);
    expect(high).toBeLessThan(0.46);
  });

  it('gives a flat line room around it', () => {
    expect(fittedRange(0.93, 0.93)).toEqual([0.93 - 0.0465, 0.93 + 0.0465]);
    expect(fittedRange(0, 0)).toEqual([-1, 1]);
  });

  it('keeps positive data on a positive axis, and pads negative data', () => {
    expect(fittedRange(0.001, 1)[0]).toBe(0);
    expect(fittedRange(-2, -1)).toEqual([-2.05, -0.95]);
    expect(fittedRange(null, null)).toEqual([0, 1]);
  });
});

describe('singleValues', () => {
  it('is the value of a metric logged once', () => {
    expect(
      singleValues([{ label: 'acc', x: [0], y: [0.93], color: '#111' }])
    ).toEqual([{ label: 'acc', value: 0.93, color: '#111' }]);
  });

  it('is null once a series has two points, or when none has any', () => {
    expect(
      singleValues([
        { label: 'a', x: [0], y: [1] },
        { label: 'b', x: [0, 1], y: [1, 2] }
      ])
    ).toBeNull();
    expect(singleValues([{ label: 'a', x: [0], y: [NaN] }])).toBeNull();
    expect(singleValues([])).toBeNull();
  });

  it('lists one value per run, leaving out runs without one', () => {
    const values = singleValues([
      { label: 'good', x: [0], y: [0.9] },
      { label: 'empty', x: [], y: [] },
      { label: 'bad', x: [5], y: [-0.45] }
    ])!;
    expect(values.map(v => v.label)).toEqual(['good', 'bad']);
    expect(barFractions(values)).toEqual([1, 0.5]);
  });
});

describe('SingleValueCard', () => {
  const dom = mountedReactRoot();

  it('draws one value as a number and several as labelled bars', async () => {
    await act(async () =>
      dom.root.render(
        <SingleValueCard
          title="acc"
          values={[{ label: 'only', value: 0.5, color: 'red' }]}
        />
      )
    );
    expect(
      dom.host.querySelector('.mlops-SingleValue-number')!.textContent
    ).toBe('0.5');
    await act(async () =>
      dom.root.render(
        <SingleValueCard
          title="acc"
          values={[
            { label: 'good', value: 0.8, color: 'red' },
            { label: 'slow', value: 0.4, color: 'blue' }
          ]}
        />
      )
    );
    const rows = Array.from(dom.host.querySelectorAll('tr'));
    expect(rows.map(r => r.querySelector('th')!.textContent)).toEqual([
      'good',
      'slow'
    ]);
    const widths = rows.map(
      r => r.querySelector<HTMLElement>('.mlops-SingleValue-bar')!.style.width
    );
    expect(widths).toEqual(['100.0%', '50.0%']);
  });
});

describe('errorExcerpt', () => {
  it('keeps the last traceback of a step log', () => {
    const log = [
      'installing...',
      'Traceback (most recent call last):',
      '  File "old.py", line 1',
      'KeyError: retried',
      'epoch 1',
      'Traceback (most recent call last):',
      '  File "train.py", line 12, in <module>',
      'ValueError: boom',
      ''
    ].join('\n');
    expect(errorExcerpt(log)).toBe(
      [
        'Traceback (most recent call last):',
        '  File "train.py", line 12, in <module>',
        'ValueError: boom'
      ].join('\n')
    );
  });

  it('keeps the last 30 lines of a log without a traceback', () => {
    const log = Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n');
    const excerpt = errorExcerpt(log).split('\n');
    expect(excerpt).toHaveLength(30);
    expect(excerpt[0]).toBe('line 20');
  });
});

describe('run filters', () => {
  it('finds children and runs by id with the search syntax', () => {
    expect(childRunsFilter('abc')).toBe("attributes.parent_run_id = 'abc'");
    expect(runIdsFilter(['a', 'b'])).toBe("attributes.run_id IN ('a', 'b')");
  });
});

describe('parameterTypeLabel', () => {
  it('says parameter types in words', () => {
    expect(parameterTypeLabel('NUMBER_INTEGER')).toBe('whole number');
    expect(parameterTypeLabel('NUMBER_DOUBLE')).toBe('number');
    expect(parameterTypeLabel('STRUCT')).toBe('object (JSON)');
    expect(parameterTypeLabel('SOMETHING_NEW')).toBe('something new');
    expect(() =>
      parseArgument('config', { parameterType: 'STRUCT' }, '[1]')
    ).toThrow('config: expected an object (JSON), got [1]');
  });
});
