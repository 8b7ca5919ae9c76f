import { TrackingApi } from '../api';
import { modelLoadSnippet, modelLoadUri } from '../panel/model-load-snippet';
import {
  IModelLocation,
  IModelVersion,
  IRegisteredModel,
  RegistryApi
} from '../panel/registry-api';
import {
  modelFileReader,
  parseModelCard,
  signatureFields
} from '../panel/use-model-files';
import { fakeServer } from './fake-server';

// An MLmodel as PyYAML's safe_dump writes it (MLflow and jupyter_mlops.log_model):
// a long signature string is folded over several lines.
const MLMODEL = `artifact_path: model
flavors:
  python_function:
    env:
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    python_version: 3.11.9
  sklearn:
    pickled_model: model.pkl
    sklearn_version: 1.5.1
mlflow_version: 2.16.0
model_uuid: 3c5e1b2a
run_id: 0123456789abcdef0123456789abcdef
saved_input_example_info:
  artifact_path: input_example.json
  pandas_orient: split
  type: dataframe
signature:
  inputs: '[{"type": "double", "name": "sepal length (cm)", "required": true}, {"type":
    "double", "name": "petal width (cm)", "required": false}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]'
  params: '[{"name": "threshold", "type": "double", "default": 0.5, "shape": null}]'
utc_time_created: '2026-12-08 00:00:00.000000'
`;

function version(changes: Partial<IModelVersion> = {}): IModelVersion {
  return {
    name: 'iris',
    version: '2',
    creation_timestamp: 0,
    last_updated_timestamp: 0,
    description: '',
    user_id: 'ada',
    current_stage: 'None',
    source: 'runs:/0123456789abcdef0123456789abcdef/model',
    run_id: '0123456789abcdef0123456789abcdef',
    status: 'READY',
    status_message: '',
    tags: {},
    aliases: [],
    run_link: '',
    model_id: null,
    storage_location: '1/0123456789abcdef0123456789abcdef/artifacts/model',
    ...changes
  };
}

function model(aliases: Record<string, string>): IRegisteredModel {
  return {
    name: 'iris',
    creation_timestamp: 0,
    last_updated_timestamp: 0,
    description: '',
    owner: 'ada',
    tags: {},
    aliases,
    latest_versions: []
  };
}

describe('parseModelCard', () => {
  it("reads the signature, flavors and example file of MLflow's MLmodel", () => {
    const card = parseModelCard(MLMODEL);
    expect(card.flavors).toEqual(['python_function', 'sklearn']);
    expect(card.exampleFile).toBe('input_example.json');
    expect(card.signature?.inputs).toEqual([
      { name: 'sepal length (cm)', type: 'double', required: true },
      { name: 'petal width (cm)', type: 'double', required: false }
    ]);
    expect(card.signature?.outputs).toEqual([
      { name: '', type: 'tensor int64 (-1)', required: true }
    ]);
    expect(card.signature?.params).toEqual([
      { name: 'threshold', type: 'double', required: true }
    ]);
  });

  it('says there is no signature or example when MLmodel has none', () => {
    const card = parseModelCard('flavors:\n  python_function: {}\n');
    expect(card.signature).toBeNull();
    expect(card.exampleFile).toBeNull();
  });

  it('ignores a signature part that is not a JSON list', () => {
    expect(signatureFields('not json')).toEqual([]);
    expect(signatureFields(null)).toEqual([]);
  });
});

describe('modelLoadUri and modelLoadSnippet', () => {
  const versions = [version({ version: '1' }), version({ version: '3' })];

  it('loads by the champion alias before any other', () => {
    expect(modelLoadUri(model({ a: '1', champion: '3' }), versions)).toBe(
      'models:/iris@champion'
    );
    expect(modelLoadUri(model({ b: '1', a: '3' }), versions)).toBe(
      'models:/iris@a'
    );
  });

  it('loads the newest version when no alias exists, nothing without versions', () => {
    expect(modelLoadUri(model({}), versions)).toBe('models:/iris/3');
    expect(modelLoadUri(model({}), [])).toBeNull();
  });

  it('writes Python for our API and for MLflow, the URI quoted', () => {
    const code = modelLoadSnippet('models:/my "model"@champion');
    expect(code).toContain(
      'model = mlops.load_model("models:/my \\"model\\"@champion")'
    );
    expect(code).toContain(
      'mlflow.pyfunc.load_model("models:/my \\"model\\"@champion")'
    );
  });
});

describe('modelFileReader', () => {
  const location = (changes: Partial<IModelLocation>): IModelLocation => ({
    storage_location: '1/0123456789abcdef0123456789abcdef/artifacts/model',
    run_id: '0123456789abcdef0123456789abcdef',
    model_version: null,
    logged_model: null,
    ...changes
  });

  function clients() {
    const server = fakeServer(() => ({
      status: 200,
      body: 'file text',
      contentType: 'text/plain'
    }));
    return {
      registry: new RegistryApi(server.settings),
      tracking: new TrackingApi(server.settings),
      requests: server.requests
    };
  }

  it("reads a run-sourced version's files from the run's artifacts", async () => {
    const { registry, tracking, requests } = clients();
    const reader = modelFileReader(registry, tracking, version(), location({}));
    expect('read' in reader && (await reader.read('MLmodel'))).toBe(
      'file text'
    );
    expect(decodeURIComponent(requests[0].path)).toMatch(
      /runs\/0123456789abcdef0123456789abcdef\/artifacts\/model\/MLmodel$/
    );
  });

  it('finds the folder inside the run from the storage location', async () => {
    const { registry, tracking, requests } = clients();
    const v = version({ source: 'mlflow-artifacts:/1/x/artifacts/sub/model' });
    const reader = modelFileReader(
      registry,
      tracking,
      v,
      location({
        storage_location:
          '1/0123456789abcdef0123456789abcdef/artifacts/sub/model'
      })
    );
    expect('read' in reader && (await reader.read('MLmodel'))).toBe(
      'file text'
    );
    expect(decodeURIComponent(requests[0].path)).toMatch(
      /artifacts\/sub\/model\/MLmodel$/
    );
  });

  it("reads a logged model's own files (MLflow 3)", async () => {
    const { registry, tracking, requests } = clients();
    const modelId = 'm-' + '0'.repeat(32);
    const reader = modelFileReader(
      registry,
      tracking,
      version({ source: `models:/${modelId}`, model_id: modelId }),
      location({
        storage_location: `1/models/${modelId}/artifacts`,
        logged_model: { model_id: modelId } as IModelLocation['logged_model']
      })
    );
    expect('read' in reader && (await reader.read('MLmodel'))).toBe(
      'file text'
    );
    expect(decodeURIComponent(requests[0].path)).toMatch(
      new RegExp(`logged-models/${modelId}/artifacts/MLmodel$`)
    );
  });

  it('says so when the files are not on this server', () => {
    const { registry, tracking } = clients();
    const reader = modelFileReader(
      registry,
      tracking,
      version({ source: 's3://bucket/model', run_id: null }),
      location({ storage_location: 's3://bucket/model', run_id: null })
    );
    expect('problem' in reader && reader.problem).toContain(
      's3://bucket/model'
    );
  });
});
