import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  ReactWidget
} from '@jupyterlab/apputils';
import * as React from 'react';

import { PipelinesApi } from './api';
import { pipelineIcon } from './icon';
import { PipelinesSidebar } from './pipelines-sidebar';
import { RunView } from './run-view';

export namespace PipelineCommandIDs {
  export const openRun = 'mlops:open-pipeline-run';
  export const openPanel = 'mlops:open-pipelines';
}

// The tracking panel's command (issue 5); used when it is there.
const OPEN_TRACKING_RUN = 'mlops:open-run';

/**
 * Pipelines in JupyterLab: a side panel of pipelines and runs, and a main-area
 * view per run with its live DAG.
 */
export const pipelinesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlops:pipelines',
  description: 'Pipelines and their runs, with a live DAG.',
  autoStart: true,
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ): void => {
    const api = new PipelinesApi(app.serviceManager.serverSettings);
    const openTrackingRun = (runId: string): void => {
      if (app.commands.hasCommand(OPEN_TRACKING_RUN)) {
        void app.commands.execute(OPEN_TRACKING_RUN, { runId });
      }
    };
    const openRun = (runId: string): void => {
      void app.commands.execute(PipelineCommandIDs.openRun, { runId });
    };

    const sidebar = ReactWidget.create(
      <PipelinesSidebar api={api} openRun={openRun} />
    );
    sidebar.id = 'jupyter-mlops-pipelines';
    sidebar.title.icon = pipelineIcon;
    sidebar.title.caption = 'MLOps Pipelines';
    sidebar.addClass('jp-mlops-pipelines-panel');
    app.shell.add(sidebar, 'left', { rank: 660 });
    restorer?.add(sidebar, 'jupyter-mlops-pipelines');

    app.commands.addCommand(PipelineCommandIDs.openPanel, {
      label: 'Open MLOps Pipelines',
      execute: () => app.shell.activateById(sidebar.id)
    });
    palette?.addItem({
      command: PipelineCommandIDs.openPanel,
      category: 'MLOps'
    });
    app.commands.addCommand(PipelineCommandIDs.openRun, {
      label: args => `Pipeline run ${String(args['runId'] ?? '').slice(0, 8)}`,
      execute: args => {
        const runId = String(args['runId']);
        const id = `jupyter-mlops-pipeline-run-${runId}`;
        const existing = Array.from(app.shell.widgets('main')).find(
          w => w.id === id
        );
        if (existing) {
          app.shell.activateById(id);
          return;
        }
        const content = ReactWidget.create(
          <RunView
            api={api}
            runId={runId}
            onOpenTrackingRun={openTrackingRun}
          />
        );
        const widget = new MainAreaWidget({ content });
        widget.id = id;
        widget.title.label = `Pipeline ${runId.slice(0, 8)}`;
        widget.title.icon = pipelineIcon;
        widget.title.closable = true;
        app.shell.add(widget, 'main');
        app.shell.activateById(id);
      }
    });
  }
};
