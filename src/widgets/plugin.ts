import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';

import { CompareRunsModel, CompareRunsView } from './compare-runs';
import { LiveMetricsModel, LiveMetricsView } from './live-metrics';
import { RunsTableModel, RunsTableView } from './runs-table';
import { MODULE_NAME, MODULE_VERSION } from './version';

/**
 * Registers the views of `jupyter_mlops.widgets` (LiveMetrics, RunsTable,
 * CompareRuns) with the notebook's widget manager.
 */
export const widgetsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlops:widgets',
  description:
    'Notebook widgets: live metric charts, runs table, compare runs.',
  autoStart: true,
  requires: [IJupyterWidgetRegistry],
  activate: (_app: JupyterFrontEnd, registry: IJupyterWidgetRegistry): void => {
    registry.registerWidget({
      name: MODULE_NAME,
      version: MODULE_VERSION,
      exports: {
        LiveMetricsModel,
        LiveMetricsView,
        RunsTableModel,
        RunsTableView,
        CompareRunsModel,
        CompareRunsView
      }
    });
  }
};
