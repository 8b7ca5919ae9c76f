/**
 * Command ids of the MLOps panel, for the palette, the launcher, menus and
 * keyboard shortcuts (Settings > Keyboard Shortcuts can bind any of them).
 */
export namespace PanelCommandIDs {
  /** Experiments and their runs. Args: `experimentId?`. */
  export const openRuns = 'mlops:open-runs';
  /** One run. Args: `runId`. */
  export const openRun = 'mlops:open-run';
  /** Runs side by side. Args: `runIds` (an array). */
  export const compareRuns = 'mlops:compare-runs';
  /** The model registry. Args: `model?`. */
  export const openRegistry = 'mlops:open-registry';
  /** Internal: reopen any view (layout restorer). Args: `view` and the above. */
  export const openView = 'mlops:open-view';
}
