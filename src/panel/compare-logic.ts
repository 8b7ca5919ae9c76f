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
