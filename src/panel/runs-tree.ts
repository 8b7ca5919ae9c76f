/**
 * Nested runs in the runs table: a run whose parent is among the loaded runs
 * is listed under it (when the parent is expanded), not at the top level.
 */
import type { IRun } from '../api';

/** A row of the runs table: a run, how deep it is nested, its children. */
export interface IRunTreeRow {
  run: IRun;
  /** 0 for a top-level row, 1 for a child, and so on. */
  depth: number;
  /** How many of the loaded runs are its children. */
  childCount: number;
  expanded: boolean;
}

/**
 * The rows to show, in the loaded order: top-level runs (those whose parent
 * is not loaded), each followed by its children when it is expanded.
 */
export function buildRunTree(
  runs: readonly IRun[],
  expanded: ReadonlySet<string>
): IRunTreeRow[] {
  const loaded = new Set(runs.map(run => run.info.run_id));
  const children = new Map<string, IRun[]>();
  const top: IRun[] = [];
  for (const run of runs) {
    const parent = run.info.parent_run_id;
    if (parent && parent !== run.info.run_id && loaded.has(parent)) {
      const siblings = children.get(parent);
      if (siblings) {
        siblings.push(run);
      } else {
        children.set(parent, [run]);
      }
    } else {
      top.push(run);
    }
  }
  const rows: IRunTreeRow[] = [];
  // A run is listed once, even if its parent links were to form a loop.
  const listed = new Set<string>();
  const visit = (run: IRun, depth: number) => {
    const id = run.info.run_id;
    if (listed.has(id)) {
      return;
    }
    listed.add(id);
    const kids = children.get(id) ?? [];
    const open = kids.length > 0 && expanded.has(id);
    rows.push({ run, depth, childCount: kids.length, expanded: open });
    if (open) {
      kids.forEach(kid => visit(kid, depth + 1));
    }
  };
  top.forEach(run => visit(run, 0));
  return rows;
}
