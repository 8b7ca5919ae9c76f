import type { ISettingRegistry } from '@jupyterlab/settingregistry';

/**
 * The user's preferences for the MLOps views (schema/plugin.json).
 */
export interface IMlopsSettings {
  /** Seconds between refreshes of an open view; 0 turns refreshing off. */
  refreshInterval: number;
  /** Name or id of the experiment to select when the sidebar opens. */
  defaultExperiment: string;
  /** Exponential smoothing weight for metric charts, 0 (none) to 0.99. */
  chartSmoothing: number;
  /** Which run columns to show, in order, where none were chosen. */
  visibleRunColumns: string[];
  /** The columns chosen in the column picker, per experiment key. */
  runColumnsByExperiment: Record<string, string[]>;
  /** The x-axis metric charts open with. */
  chartXAxis: 'step' | 'time' | 'relative';
}

export const DEFAULT_SETTINGS: IMlopsSettings = {
  refreshInterval: 10,
  defaultExperiment: '',
  chartSmoothing: 0,
  visibleRunColumns: ['status', 'start_time', 'duration', 'params', 'metrics'],
  runColumnsByExperiment: {},
  chartXAxis: 'step'
};

const X_AXES = ['step', 'time', 'relative'] as const;

/**
 * Read composite setting values into typed settings, falling back to the
 * defaults for anything missing or out of range (the registry validates
 * against the schema, but a hand-edited file may still hold junk).
 */
export function readSettings(
  composite: Partial<Record<keyof IMlopsSettings, unknown>>
): IMlopsSettings {
  const interval = composite.refreshInterval;
  const smoothing = composite.chartSmoothing;
  const experiment = composite.defaultExperiment;
  const columns = composite.visibleRunColumns;
  const xAxis = composite.chartXAxis;
  const chosen = composite.runColumnsByExperiment;
  return {
    refreshInterval:
      typeof interval === 'number' && Number.isFinite(interval) && interval >= 0
        ? interval
        : DEFAULT_SETTINGS.refreshInterval,
    defaultExperiment:
      typeof experiment === 'string'
        ? experiment.trim()
        : DEFAULT_SETTINGS.defaultExperiment,
    chartSmoothing:
      typeof smoothing === 'number' && Number.isFinite(smoothing)
        ? Math.min(0.99, Math.max(0, smoothing))
        : DEFAULT_SETTINGS.chartSmoothing,
    visibleRunColumns: Array.isArray(columns)
      ? columns.filter((column): column is string => typeof column === 'string')
      : [...DEFAULT_SETTINGS.visibleRunColumns],
    runColumnsByExperiment: readColumnChoices(chosen),
    chartXAxis: X_AXES.includes(xAxis as (typeof X_AXES)[number])
      ? (xAxis as IMlopsSettings['chartXAxis'])
      : DEFAULT_SETTINGS.chartXAxis
  };
}

/** The per-experiment column lists, each holding only strings. */
function readColumnChoices(value: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, columns] of Object.entries(value)) {
      if (Array.isArray(columns)) {
        out[key] = columns.filter(
          (column): column is string => typeof column === 'string'
        );
      }
    }
  }
  return out;
}

/**
 * Typed settings from a loaded settings object.
 */
export function settingsFrom(
  settings: ISettingRegistry.ISettings
): IMlopsSettings {
  return readSettings(
    settings.composite as Partial<Record<keyof IMlopsSettings, unknown>>
  );
}
