/**
 * The runs table's columns per experiment: the column picker's choice is
 * remembered for the experiments it was made on (in the settings, under
 * `runColumnsByExperiment`); elsewhere the default columns apply.
 */
import type { IMlopsSettings } from '../settings';
import { resolveColumns } from './columns';

/** The settings key of a choice: the shown experiment ids, sorted. */
export function columnChoiceKey(experimentIds: readonly string[]): string {
  return [...experimentIds].sort().join(',');
}

/**
 * The columns to show for `experimentIds`: the choice made for them, else
 * the default columns (params and metrics of the runs included).
 */
export function columnsFor(
  settings: Pick<
    IMlopsSettings,
    'visibleRunColumns' | 'runColumnsByExperiment'
  >,
  experimentIds: readonly string[],
  keys: { metrics: readonly string[]; params: readonly string[] }
): { columns: string[]; chosen: boolean } {
  const choice =
    settings.runColumnsByExperiment[columnChoiceKey(experimentIds)];
  return {
    columns: resolveColumns(
      choice ?? settings.visibleRunColumns,
      keys.metrics,
      keys.params
    ),
    chosen: choice !== undefined
  };
}

/**
 * The per-experiment choices with `columns` chosen for `experimentIds`, or
 * the choice forgotten (back to the default columns) when `columns` is null.
 */
export function withColumnChoice(
  choices: Readonly<Record<string, string[]>>,
  experimentIds: readonly string[],
  columns: string[] | null
): Record<string, string[]> {
  const key = columnChoiceKey(experimentIds);
  const next = { ...choices };
  if (columns === null) {
    delete next[key];
  } else {
    next[key] = columns;
  }
  return next;
}
