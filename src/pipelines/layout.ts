import dagre from '@dagrejs/dagre';

import { IPipelineSpec, IStepRun, StepState } from './api';

export const NODE_WIDTH = 150;
export const NODE_HEIGHT = 36;

export interface ILaidOutNode {
  id: string;
  /** The spec's task the node is an instance of (`train` for `train[2]`). */
  task: string;
  label: string;
  state: StepState;
  cached: boolean;
  x: number;
  y: number;
}

export interface ILaidOutEdge {
  from: string;
  to: string;
  points: { x: number; y: number }[];
}

export interface IDagLayout {
  nodes: ILaidOutNode[];
  edges: ILaidOutEdge[];
  width: number;
  height: number;
}

/**
 * The graph of a run: one node per step instance (`train[2]` for a loop
 * iteration; one `train` node while its loop is not expanded), edges from the
 * spec's dependencies, iteration-to-iteration inside a loop.
 */
export function runGraph(
  spec: IPipelineSpec,
  steps: IStepRun[]
): {
  nodes: Omit<ILaidOutNode, 'x' | 'y'>[];
  edges: { from: string; to: string }[];
} {
  const tasks = spec.root.dag.tasks;
  const byTask = new Map<string, IStepRun[]>();
  for (const step of steps) {
    const list = byTask.get(step.task) ?? [];
    list.push(step);
    byTask.set(step.task, list);
  }
  const instancesOf = (task: string): string[] => {
    const found = byTask.get(task);
    return found && found.length > 0 ? found.map(s => s.step_id) : [task];
  };
  const nodes: Omit<ILaidOutNode, 'x' | 'y'>[] = [];
  for (const task of Object.keys(tasks)) {
    const found = byTask.get(task);
    if (found && found.length > 0) {
      for (const step of found) {
        nodes.push({
          id: step.step_id,
          task,
          label: step.step_id,
          state: step.state,
          cached: step.cached
        });
      }
    } else {
      nodes.push({
        id: task,
        task,
        label: task,
        state: 'PENDING',
        cached: false
      });
    }
  }
  const edges: { from: string; to: string }[] = [];
  for (const [task, taskSpec] of Object.entries(tasks)) {
    for (const dependency of taskSpec.dependentTasks ?? []) {
      const sameLoop =
        taskSpec.iterator !== undefined &&
        tasks[dependency]?.iterator === taskSpec.iterator;
      const consumers = instancesOf(task);
      const producers = instancesOf(dependency);
      if (sameLoop && consumers.length === producers.length) {
        consumers.forEach((consumer, i) =>
          edges.push({ from: producers[i], to: consumer })
        );
      } else {
        for (const producer of producers) {
          for (const consumer of consumers) {
            edges.push({ from: producer, to: consumer });
          }
        }
      }
    }
  }
  return { nodes, edges };
}

/**
 * Lay a run's DAG out top to bottom with dagre.
 */
export function layoutRun(spec: IPipelineSpec, steps: IStepRun[]): IDagLayout {
  const { nodes, edges } = runGraph(spec, steps);
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({
    rankdir: 'TB',
    nodesep: 24,
    ranksep: 40,
    marginx: 8,
    marginy: 8
  });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) {
    graph.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  for (const edge of edges) {
    graph.setEdge(edge.from, edge.to);
  }
  dagre.layout(graph);
  const label = graph.graph();
  const laidOut = nodes.map(node => {
    const placed = graph.node(node.id);
    return { ...node, x: placed.x, y: placed.y };
  });
  const moved = orderInstances(laidOut);
  const byId = new Map(laidOut.map(node => [node.id, node]));
  return {
    nodes: laidOut,
    edges: edges.map(edge => {
      const from = byId.get(edge.from)!;
      const to = byId.get(edge.to)!;
      // dagre routed it to where the node was: from box to box, straight.
      const points =
        moved.has(edge.from) || moved.has(edge.to)
          ? [
              { x: from.x, y: from.y + NODE_HEIGHT / 2 },
              { x: to.x, y: to.y - NODE_HEIGHT / 2 }
            ]
          : (graph.edge(edge.from, edge.to)?.points ?? []).map(
              (p: { x: number; y: number }) => ({ x: p.x, y: p.y })
            );
      return { ...edge, points };
    }),
    width: label.width ?? 0,
    height: label.height ?? 0
  };
}

/**
 * The iteration index of a step instance (`train[12]` is 12), or -1.
 */
export function instanceIndex(stepId: string): number {
  const match = /\[(\d+)\]$/.exec(stepId);
  return match ? Number(match[1]) : -1;
}

/**
 * Put the instances of one task in one rank left to right by their index
 * (`train[0]` ... `train[4]`), in the places dagre gave them (it orders a
 * fan-out as it likes, often reversed). Changes `nodes`; returns the ids of
 * the nodes that moved.
 */
function orderInstances(nodes: ILaidOutNode[]): Set<string> {
  const groups = new Map<string, ILaidOutNode[]>();
  for (const node of nodes) {
    if (instanceIndex(node.id) < 0) {
      continue;
    }
    const key = `${node.task}@${node.y}`;
    groups.set(key, [...(groups.get(key) ?? []), node]);
  }
  const moved = new Set<string>();
  for (const group of groups.values()) {
    const places = group.map(node => node.x).sort((a, b) => a - b);
    const ordered = [...group].sort(
      (a, b) => instanceIndex(a.id) - instanceIndex(b.id)
    );
    ordered.forEach((node, i) => {
      if (node.x !== places[i]) {
        node.x = places[i];
        moved.add(node.id);
      }
    });
  }
  return moved;
}
