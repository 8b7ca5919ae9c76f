import type { INotebookOptions } from '../notebook-servers/api';
import {
  buildCreateRequest,
  buildEditRequest,
  ISpawnValues
} from '../notebook-servers/spawn-request';

const options: INotebookOptions = {
  images: [
    { image: 'jupyter/minimal', display_name: 'Minimal', default: true }
  ],
  allow_custom_image: true,
  profiles: [
    {
      slug: 'gpu',
      display_name: 'GPU',
      description: '',
      default: false,
      overrides: { image: 'jupyter/cuda' }
    }
  ],
  gpu_resources: ['nvidia.com/gpu'],
  max_gpus: 2,
  defaults: { cpu: '0.5', memory: '1Gi', workspace_size: '5Gi' },
  quota: {},
  backend: 'local',
  is_admin: true,
  user: 'root'
};

const blank: ISpawnValues = {
  owner: 'root',
  name: 'work',
  profile: '',
  image: 'jupyter/minimal',
  imageTouched: false,
  cpu: '',
  memory: '',
  gpus: 0,
  gpuResource: 'nvidia.com/gpu',
  size: ''
};

describe('buildCreateRequest', () => {
  it('sends only the fields the user set', () => {
    expect(buildCreateRequest(blank, options)).toEqual({
      name: 'work',
      image: 'jupyter/minimal'
    });
  });

  it("lets a profile's image win unless the user picked one", () => {
    const values = { ...blank, profile: 'gpu' };
    expect(buildCreateRequest(values, options).image).toBeUndefined();
    expect(
      buildCreateRequest({ ...values, imageTouched: true }, options).image
    ).toBe('jupyter/minimal');
  });

  it('names another owner, GPUs and a workspace size when set', () => {
    const values = { ...blank, owner: 'alice', gpus: 1, size: '10Gi' };
    expect(buildCreateRequest(values, options)).toEqual({
      name: 'work',
      owner: 'alice',
      image: 'jupyter/minimal',
      gpus: 1,
      gpu_resource: 'nvidia.com/gpu',
      workspace: { size: '10Gi' }
    });
  });
});

describe('buildEditRequest', () => {
  it('sends the image and, where GPUs exist, the GPU count', () => {
    expect(buildEditRequest({ ...blank, cpu: '2' }, options)).toEqual({
      image: 'jupyter/minimal',
      cpu: '2',
      gpus: 0
    });
  });
});
