// jsdom lacks structuredClone (every browser JupyterLab supports has it); dagre uses it.
if (typeof globalThis.structuredClone !== 'function') {
  globalThis.structuredClone = <T>(value: T): T =>
    JSON.parse(JSON.stringify(value));
}

import { IPipelineSpec, IStepRun } from '../pipelines/api';
import { layoutRun, runGraph } from '../pipelines/layout';
import { parseArgument } from '../pipelines/submit-form';

const spec: IPipelineSpec = {
  pipelineInfo: { name: 'p' },
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

const step = (
  id: string,
  task: string,
  iteration: number | null
): IStepRun => ({
  run_id: 'r1',
  step_id: id,
  task,
  iteration,
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

describe('runGraph', () => {
  it('shows an unexpanded loop as one pending node per task', () => {
    const graph = runGraph(spec, [step('prep', 'prep', null)]);
    expect(graph.nodes.map(n => [n.id, n.state])).toEqual([
      ['prep', 'SUCCEEDED'],
      ['train', 'PENDING'],
      ['score', 'PENDING'],
      ['best', 'PENDING']
    ]);
  });

  it('links iterations one to one inside a loop and fans in after it', () => {
    const steps = [
      step('prep', 'prep', null),
      step('train[0]', 'train', 0),
      step('train[1]', 'train', 1),
      step('score[0]', 'score', 0),
      step('score[1]', 'score', 1)
    ];
    const { edges } = runGraph(spec, steps);
    expect(edges).toEqual(
      expect.arrayContaining([
        { from: 'prep', to: 'train[0]' },
        { from: 'prep', to: 'train[1]' },
        { from: 'train[0]', to: 'score[0]' },
        { from: 'train[1]', to: 'score[1]' },
        { from: 'score[0]', to: 'best' },
        { from: 'score[1]', to: 'best' }
      ])
    );
    expect(edges).not.toContainEqual({ from: 'train[0]', to: 'score[1]' });
  });

  it('lays dependencies out top to bottom', () => {
    const layout = layoutRun(spec, [step('prep', 'prep', null)]);
    const y = Object.fromEntries(layout.nodes.map(n => [n.id, n.y]));
    expect(y.prep).toBeLessThan(y.train);
    expect(y.train).toBeLessThan(y.score);
    expect(layout.width).toBeGreaterThan(0);
  });
});

describe('parseArgument', () => {
  it.each([
    ['STRING', 'abc', 'abc'],
    ['NUMBER_INTEGER', '3', 3],
    ['NUMBER_DOUBLE', '0.5', 0.5],
    ['BOOLEAN', 'true', true],
    ['LIST', '[1, 2]', [1, 2]],
    ['STRUCT', '{"a": 1}', { a: 1 }],
    ['ANY', 'free text', 'free text']
  ])('reads %s', (type, text, value) => {
    expect(parseArgument('x', { parameterType: type }, text)).toEqual(value);
  });

  it('names the parameter when the text does not fit', () => {
    expect(() =>
      parseArgument('epochs', { parameterType: 'NUMBER_INTEGER' }, '2.5')
    ).toThrow(/epochs: expected a whole number, got 2.5/);
    expect(() =>
      parseArgument('items', { parameterType: 'LIST' }, 'nope')
    ).toThrow(/items/);
  });
});
