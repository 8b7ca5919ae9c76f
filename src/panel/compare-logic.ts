/**
 * Pure logic of the compare view: params side by side, runs grouped by a
 * param, and the rows of the parallel-coordinates and scatter plots.
 */
import type { IRun } from '../api';
import type { IParallelRow, IScatterPoint, PlotValue } from '../charts/types';
import { cellValue } from './columns';

export interface IParamRow {
  key: string;
  /** One value per run, in the runs' order; `null` where a run lacks it. */
  values: (string | null)[];
  /** Whether the runs disagree (a missing value counts as different). */
  differs: boolean;
}

/**
 * Every param of the runs, one row per key: differing rows first, then by
 * key. With `onlyDifferences`, rows where all runs agree are left out.
 */
export function diffParams(
  runs: readonly IRun[],
  onlyDifferences = false
): IParamRow[] {
  const keys = new Set<string>();
  runs.forEach(run => Object.keys(run.params).forEach(k => keys.add(k)));
  const rows = [...keys].map(key => {
    const values = runs.map(run => run.params[key] ?? null);
    const differs = values.some(v => v !== values[0]);
    return { key, values, differs };
  });
  rows.sort(
    (a, b) =>
      Number(b.differs) - Number(a.differs) || a.key.localeCompare(b.key)
  );
  return onlyDifferences ? rows.filter(r => r.differs) : rows;
}

export interface IRunGroup {
  /** The param's value (`(none)` for runs without it). */
  value: string;
  runs: IRun[];
}

export const NO_VALUE = '(none)';

/**
 * Runs grouped by a param's value (e.g. all seeds of one learning rate), in
 * the order each value first appears.
 */
export function groupRuns(
  runs: readonly IRun[],
  paramKey: string
): IRunGroup[] {
  const groups = new Map<string, IRun[]>();
  for (const run of runs) {
    const value = run.params[paramKey] ?? NO_VALUE;
    const group = groups.get(value);
    if (group) {
      group.push(run);
    } else {
      groups.set(value, [run]);
    }
  }
  return [...groups].map(([value, members]) => ({ value, runs: members }));
}

/** The metric keys of the runs, sorted, without duplicates. */
export function metricKeysOf(runs: readonly IRun[]): string[] {
  const keys = new Set<string>();
  runs.forEach(run => Object.keys(run.metrics).forEach(k => keys.add(k)));
  return [...keys].sort((a, b) => a.localeCompare(b));
}

/** A run's short display name. */
export function runLabel(run: IRun): string {
  return run.info.run_name || run.info.run_id.slice(0, 8);
}

/** Rows of a parallel-coordinates plot over the given column ids. */
export function parallelRows(
  runs: readonly IRun[],
  dimensions: readonly string[]
): IParallelRow[] {
  return runs.map(run => ({
    id: run.info.run_id,
    label: runLabel(run),
    values: dimensions.map(id => plotValue(cellValue(run, id, Date.now())))
  }));
}

/** Points of a scatter plot of column `x` against column `y`. */
export function scatterPoints(
  runs: readonly IRun[],
  x: string,
  y: string
): IScatterPoint[] {
  const now = Date.now();
  return runs.map(run => ({
    id: run.info.run_id,
    label: runLabel(run),
    x: plotValue(cellValue(run, x, now)),
    y: plotValue(cellValue(run, y, now))
  }));
}

function plotValue(value: number | string | null): PlotValue {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return null;
  }
  return value;
}

/** Whether a lower or a higher value of a metric is better. */
export type MetricDirection = 'min' | 'max';

/** Keys that name an error of some kind, where lower is better. */
const LOWER_IS_BETTER = /loss|error|mae|mse|rmse/i;

/**
 * The direction a metric is usually read in: lower is better for losses and
 * errors (`val_loss`, `test_error`, `rmse`), higher for everything else
 * (accuracy, F1, AUC, reward).
 */
export function defaultDirection(key: string): MetricDirection {
  return LOWER_IS_BETTER.test(key) ? 'min' : 'max';
}

/** The statistics the values table shows of each metric. */
export type MetricStat = 'value' | 'min' | 'max';
export const METRIC_STATS: readonly MetricStat[] = ['value', 'min', 'max'];

export interface IMetricValues {
  key: string;
  direction: MetricDirection;
  /** Per stat, one value per run in the runs' order; `null` where missing. */
  values: Record<MetricStat, (number | null)[]>;
  /** Per stat, the indices of the runs holding the best value (ties: all). */
  best: Record<MetricStat, number[]>;
}

/**
 * The indices of the best finite values: the lowest for `min`, the highest
 * for `max`, every one of them on a tie. Nothing is best when fewer than two
 * runs have a value (or all have the same), since there is nothing to tell.
 */
export function bestIndices(
  values: readonly (number | null)[],
  direction: MetricDirection
): number[] {
  const finite = values
    .map((v, i) => [v, i] as const)
    .filter((e): e is readonly [number, number] => Number.isFinite(e[0]));
  if (finite.length < 2) {
    return [];
  }
  const pick = direction === 'min' ? Math.min : Math.max;
  const best = pick(...finite.map(([v]) => v));
  if (finite.every(([v]) => v === best)) {
    return [];
  }
  return finite.filter(([v]) => v === best).map(([, i]) => i);
}

/**
 * The last, min and max of each metric of each run (from the runs' latest
 * metrics, no history needed), with the best run per stat in the metric's
 * direction (`directions` overrides the default per key).
 */
export function metricValues(
  runs: readonly IRun[],
  keys: readonly string[],
  directions: Readonly<Record<string, MetricDirection>> = {}
): IMetricValues[] {
  return keys.map(key => {
    const direction = directions[key] ?? defaultDirection(key);
    const values = {} as Record<MetricStat, (number | null)[]>;
    const best = {} as Record<MetricStat, number[]>;
    for (const stat of METRIC_STATS) {
      values[stat] = runs.map(run => {
        const v = run.metrics[key]?.[stat];
        return typeof v === 'number' ? v : null;
      });
      best[stat] = bestIndices(values[stat], direction);
    }
    return { key, direction, values, best };
  });
}

/** A colour per run id, by its place among all compared runs (stable when some are hidden). */
export function runColors(
  runs: readonly IRun[],
  color: (index: number) => string
): Map<string, string> {
  return new Map(runs.map((run, i) => [run.info.run_id, color(i)]));
}
