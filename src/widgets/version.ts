/**
 * The module the Python widgets name in `_model_module` / `_view_module`
 * (jupyter_mlops/widgets/base.py); the version satisfies their `^0.1.0`.
 */
export const MODULE_NAME = 'jupyter-mlops';
export const MODULE_VERSION = '0.1.0';
