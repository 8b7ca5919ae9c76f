import { CommandRegistry } from '@lumino/commands';
import { nullTranslator } from '@jupyterlab/translation';
import * as React from 'react';
import { act } from 'react';

import { IRun, TrackingApi } from '../api';
import { PanelCommandIDs } from '../panel/commands';
import { PanelSettings } from '../panel/context';
import { IModelVersion, RegistryApi } from '../panel/registry-api';
import { datasetSource, RunInputs } from '../panel/run-inputs';
import { RunView } from '../panel/run-view';
import { experimentJson, fakeServer, runJson } from './fake-server';
import { mountedReactRoot } from './react-root';

// Tell React this is a test environment, so act() works without warnings.
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const trans = nullTranslator.load('jupyter_mlops');
const RUN_ID = 'a'.repeat(32);
const USED = 'm-' + '1'.repeat(32);
const MADE = 'm-' + '2'.repeat(32);

const TRAIN = {
  dataset: {
    name: 'churn-train',
    digest: '9f86d081884c7d65',
    source_type: 's3',
    source: '{"uri": "s3://data/churn.csv"}',
    schema: null,
    profile: null
  },
  context: 'training',
  tags: { 'mlflow.data.context': 'training' }
};

const FROM_CODE = {
  dataset: {
    name: 'made-in-code',
    digest: 'abc',
    source_type: 'code',
    source: '{}',
    schema: null,
    profile: null
  },
  context: null,
  tags: {}
};

function runWithInputs(): any {
  return {
    ...runJson(RUN_ID, '3'),
    inputs: {
      datasets: [TRAIN, FROM_CODE],
      models: [{ model_id: USED, name: 'encoder' }]
    },
    outputs: { models: [{ model_id: MADE, name: 'churn-clf' }] }
  };
}

function version(name: string, number: string, modelId: string): IModelVersion {
  return {
    name,
    version: number,
    model_id: modelId,
    creation_timestamp: 1,
    last_updated_timestamp: 1,
    description: '',
    user_id: 'ada',
    current_stage: 'None',
    source: `models:/${modelId}`,
    run_id: RUN_ID,
    status: 'READY',
    status_message: '',
    tags: {},
    aliases: [],
    run_link: '',
    storage_location: ''
  };
}

function cells(host: HTMLElement, selector: string): string[][] {
  return Array.from(host.querySelectorAll(`${selector} tbody tr`)).map(row =>
    Array.from(row.children).map(cell => cell.textContent ?? '')
  );
}

describe('run inputs', () => {
  const dom = mountedReactRoot();

  it('reads a source as its location, else as its type', () => {
    expect(datasetSource(TRAIN.dataset)).toBe('s3://data/churn.csv');
    expect(datasetSource(FROM_CODE.dataset)).toBe('code');
    expect(
      datasetSource({ ...TRAIN.dataset, source: 'not json', source_type: 'x' })
    ).toBe('not json');
    expect(
      datasetSource({ ...TRAIN.dataset, source: '{"url": "https://a/b"}' })
    ).toBe('https://a/b');
  });

  it('lists datasets and models, with links to registered versions', () => {
    const opened: string[] = [];
    act(() =>
      dom.root.render(
        <RunInputs
          run={runWithInputs() as IRun}
          registrations={{ [MADE]: [version('churn', '3', MADE)] }}
          onOpenRegistry={model => opened.push(model)}
          trans={trans}
        />
      )
    );

    expect(cells(dom.host, '.mlops-RunInputs-datasets')).toEqual([
      ['churn-train', '9f86d081', 'training', 's3://data/churn.csv'],
      ['made-in-code', 'abc', '—', 'code']
    ]);
    const digest = dom.host.querySelector('.mlops-RunInputs-datasets td');
    expect(digest?.getAttribute('title')).toBe('9f86d081884c7d65');
    expect(cells(dom.host, '.mlops-RunInputs-models')).toEqual([
      ['encoder', 'used', '—'],
      ['churn-clf', 'produced', 'churn v3 ']
    ]);
    const link = dom.host.querySelector<HTMLButtonElement>(
      `[data-model-id="${MADE}"] .mlops-RunInputs-registration`
    );
    act(() => link?.click());
    expect(opened).toEqual(['churn']);
  });

  it('says when a run used and made nothing', () => {
    act(() =>
      dom.root.render(
        <RunInputs
          run={runJson(RUN_ID, '3') as IRun}
          registrations={{}}
          onOpenRegistry={() => undefined}
          trans={trans}
        />
      )
    );
    expect(dom.host.querySelector('table')).toBeNull();
    expect(dom.host.textContent).toContain('No datasets logged.');
    expect(dom.host.textContent).toContain('No models used or produced.');
  });

  it('in the run view, looks up registrations and opens the registry', async () => {
    const { settings, requests } = fakeServer(request => {
      if (request.path.endsWith(`/runs/${RUN_ID}`)) {
        return { status: 200, body: { run: runWithInputs() } };
      }
      if (request.path.endsWith('/experiments/3')) {
        return {
          status: 200,
          body: { experiment: experimentJson('3', 'churn') }
        };
      }
      if (request.path.endsWith('/model-versions/search')) {
        return {
          status: 200,
          body: {
            model_versions: [version('churn', '3', MADE)],
            next_page_token: null
          }
        };
      }
      return {
        status: 404,
        body: { error: { code: 'RESOURCE_DOES_NOT_EXIST', message: 'no' } }
      };
    });
    const commands = new CommandRegistry();
    const opened: unknown[] = [];
    commands.addCommand(PanelCommandIDs.openRegistry, {
      execute: args => {
        opened.push(args);
      }
    });
    const ctx = {
      api: new TrackingApi(settings),
      registry: new RegistryApi(settings),
      commands,
      rendermime: null,
      settings: new PanelSettings(),
      trans
    };

    await act(async () => {
      dom.root.render(<RunView ctx={ctx} runId={RUN_ID} visible={false} />);
    });
    await act(async () => {
      await new Promise(resolve => setTimeout(resolve, 0));
    });

    const search = requests.find(r =>
      r.path.endsWith('/model-versions/search')
    );
    expect(search?.query.get('filter')).toBe(
      `model_id IN ('${USED}', '${MADE}')`
    );
    const link = dom.host.querySelector<HTMLButtonElement>(
      '.mlops-RunInputs-registration'
    );
    expect(link?.textContent).toBe('churn v3');
    await act(async () => link?.click());
    expect(opened).toEqual([{ model: 'churn' }]);
  });
});
