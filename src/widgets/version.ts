/**
 * The module the Python widgets name in `_model_module` / `_view_module`
 * (jupyter_mlops/widgets/base.py); the version satisfies their `^0.1.0`.
 */
export const MODULE_NAME = 'jupyter-mlops';
export const MODULE_VERSION = '0.1.0';

/**
 * The trait defaults naming a widget's model and view classes in this module,
 * e.g. `widgetNames('RunsTable')` for `RunsTableModel` and `RunsTableView`.
 */
export function widgetNames(widget: string): Record<string, string> {
  return {
    _model_name: `${widget}Model`,
    _model_module: MODULE_NAME,
    _model_module_version: MODULE_VERSION,
    _view_name: `${widget}View`,
    _view_module: MODULE_NAME,
    _view_module_version: MODULE_VERSION
  };
}
