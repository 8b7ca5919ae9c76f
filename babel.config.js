// Jest transpiles the ES modules that JupyterLab packages ship with this preset.
module.exports = require('@jupyterlab/testing/lib/babel-config').default;
