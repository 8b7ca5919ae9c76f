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
import { Signal } from '@lumino/signaling';
import * as React from 'react';

import { PipelinesApi } from './api';
import { pipelineIcon } from './icon';
import { PipelinesSidebar } from './pipelines-sidebar';
import { RunView } from './run-view';
import { SchedulesView } from './schedules-view';

export namespace PipelineCommandIDs {
  export const openRun = 'mlops:open-pipeline-run';
  export const openPanel = 'mlops:open-pipelines';
  export const openSchedules = 'mlops:open-pipeline-schedules';
}

const SCHEDULES_ID = 'jupyter-mlops-pipeline-schedules';

// The tracking panel's command (issue 5); used when it is there.
const OPEN_TRACKING_RUN = 'mlops:open-run';

/**
 * Pipelines in JupyterLab: a side panel of pipelines and runs, a main-area
 * view per run with its live DAG, and one of the schedules.
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
    // Tells an open schedules view to read the list now, not at its next poll.
    const schedulesChanged = new Signal<PipelinesApi, void>(api);
    const openSchedules = (): void => {
      void app.commands
        .execute(PipelineCommandIDs.openSchedules)
        .then(() => schedulesChanged.emit());
    };

    const sidebar = ReactWidget.create(
      <PipelinesSidebar
        api={api}
        openRun={openRun}
        openSchedules={openSchedules}
      />
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
    app.commands.addCommand(PipelineCommandIDs.openSchedules, {
      label: 'Open MLOps Pipeline Schedules',
      execute: () => {
        const existing = Array.from(app.shell.widgets('main')).find(
          w => w.id === SCHEDULES_ID
        );
        if (existing) {
          app.shell.activateById(SCHEDULES_ID);
          return;
        }
        const content = ReactWidget.create(
          <SchedulesView
            api={api}
            openRun={openRun}
            changed={schedulesChanged}
          />
        );
        const widget = new MainAreaWidget({ content });
        widget.id = SCHEDULES_ID;
        widget.title.label = 'Pipeline schedules';
        widget.title.icon = pipelineIcon;
        widget.title.closable = true;
        app.shell.add(widget, 'main');
        app.shell.activateById(SCHEDULES_ID);
      }
    });
    palette?.addItem({
      command: PipelineCommandIDs.openSchedules,
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
