/**
 * Notebook widgets (issue 4): views of `jupyter_mlops.widgets`.
 */
export { widgetsPlugin } from './plugin';
export * from './logic';
