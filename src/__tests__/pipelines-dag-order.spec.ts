// jsdom lacks structuredClone (every browser JupyterLab supports has it); dagre uses it.
if (typeof globalThis.structuredClone !== 'function') {
  globalThis.structuredClone = <T>(value: T): T =>
    JSON.parse(JSON.stringify(value));
}

import { IPipelineSpec, IStepRun } from '../pipelines/api';
import { instanceIndex, layoutRun, NODE_HEIGHT } from '../pipelines/layout';

const spec: IPipelineSpec = {
  pipelineInfo: { name: 'fan' },
  root: {
    dag: {
      tasks: {
        prep: { componentRef: { name: 'c' } },
        train: {
          componentRef: { name: 'c' },
          dependentTasks: ['prep'],
          iterator: 'for-loop-1'
        },
        score: {
          componentRef: { name: 'c' },
          dependentTasks: ['train'],
          iterator: 'for-loop-1'
        },
        best: { componentRef: { name: 'c' }, dependentTasks: ['score'] }
      }
    }
  }
};

const step = (id: string, task: string): IStepRun => ({
  run_id: 'r1',
  step_id: id,
  task,
  iteration: instanceIndex(id) >= 0 ? instanceIndex(id) : null,
  state: 'SUCCEEDED',
  message: '',
  attempt: 1,
  cached: false,
  cached_from: null,
  tracking_run_id: null,
  inputs: {},
  outputs: {},
  start_time: null,
  end_time: null
});

function fanOut(n: number): IStepRun[] {
  const steps = [step('prep', 'prep')];
  for (let i = 0; i < n; i++) {
    steps.push(step(`train[${i}]`, 'train'), step(`score[${i}]`, 'score'));
  }
  return [...steps, step('best', 'best')];
}

describe('layoutRun fan-out', () => {
  it.each([2, 5, 12])(
    'draws %i iterations left to right by index, each chain in one column',
    n => {
      const layout = layoutRun(spec, fanOut(n));
      const x = new Map(layout.nodes.map(node => [node.id, node.x]));
      for (let i = 1; i < n; i++) {
        expect(x.get(`train[${i}]`)!).toBeGreaterThan(
          x.get(`train[${i - 1}]`)!
        );
        expect(x.get(`score[${i}]`)).toBe(x.get(`train[${i}]`));
      }
    }
  );

  it('draws every edge from its producer to its consumer', () => {
    const layout = layoutRun(spec, fanOut(5));
    const byId = new Map(layout.nodes.map(node => [node.id, node]));
    for (const edge of layout.edges) {
      const from = byId.get(edge.from)!;
      const to = byId.get(edge.to)!;
      const first = edge.points[0];
      const last = edge.points[edge.points.length - 1];
      expect(Math.abs(first.x - from.x)).toBeLessThan(1);
      expect(Math.abs(first.y - (from.y + NODE_HEIGHT / 2))).toBeLessThan(1);
      expect(Math.abs(last.x - to.x)).toBeLessThan(1);
      expect(Math.abs(last.y - (to.y - NODE_HEIGHT / 2))).toBeLessThan(1);
    }
  });

  it('reads the index of a step instance', () => {
    expect(instanceIndex('train[12]')).toBe(12);
    expect(instanceIndex('train')).toBe(-1);
    expect(instanceIndex('train-2')).toBe(-1);
  });
});
