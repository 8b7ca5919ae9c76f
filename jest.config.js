// The JupyterLab-standard Jest setup (@jupyterlab/testing): ts-jest for our sources,
// babel for the ES modules JupyterLab packages ship, a jsdom that has fetch.
const jestJupyterLab = require('@jupyterlab/testing/lib/jest-config');

const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyterlab/',
  '@microsoft',
  'exenv-es6',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  collectCoverageFrom: ['src/**/*.{ts,tsx}', '!src/**/*.d.ts', '!src/**/__tests__/**'],
  // The venv holds JupyterLab's own package.json files, the labextension a copy of ours.
  modulePathIgnorePatterns: [
    '<rootDir>/.venv',
    '<rootDir>/jupyter_mlops',
    '<rootDir>/lib',
    '<rootDir>/node_modules/.cache'
  ],
  coverageReporters: ['text-summary', 'lcov'],
  reporters: ['default'],
  testRegex: 'src/__tests__/.*\\.spec\\.tsx?$',
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
