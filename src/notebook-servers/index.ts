export { notebookServersPlugin } from './plugin';
export * from './api';
