import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, ReactWidget } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { Signal } from '@lumino/signaling';
import * as React from 'react';

import { addSidebar, openMainAreaTab } from '../lab-shell';
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
  optional: [ILayoutRestorer, ICommandPalette, ILauncher],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    launcher: ILauncher | null
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
    addSidebar(app, restorer, sidebar, {
      id: 'jupyter-mlops-pipelines',
      icon: pipelineIcon,
      caption: 'MLOps Pipelines',
      className: 'jp-mlops-pipelines-panel',
      rank: 660
    });

    app.commands.addCommand(PipelineCommandIDs.openPanel, {
      label: args =>
        args['isLauncher'] ? 'Pipelines' : 'Open MLOps Pipelines',
      caption: 'Load, run and schedule pipelines; watch their DAGs',
      icon: pipelineIcon,
      execute: () => app.shell.activateById(sidebar.id)
    });
    palette?.addItem({
      command: PipelineCommandIDs.openPanel,
      category: 'MLOps'
    });
    // Next to the launcher's MLOps Runs and Model Registry cards.
    launcher?.add({
      command: PipelineCommandIDs.openPanel,
      args: { isLauncher: true },
      category: 'MLOps',
      rank: 3
    });
    addSchedulesCommand(app, palette, api, openRun, schedulesChanged);
    addRunCommand(app, api, openTrackingRun);
  }
};

/** The command that opens the schedules view (once) in the main area. */
function addSchedulesCommand(
  app: JupyterFrontEnd,
  palette: ICommandPalette | null,
  api: PipelinesApi,
  openRun: (runId: string) => void,
  changed: Signal<PipelinesApi, void>
): void {
  app.commands.addCommand(PipelineCommandIDs.openSchedules, {
    label: 'Open MLOps Pipeline Schedules',
    execute: () =>
      openMainAreaTab(
        app,
        SCHEDULES_ID,
        { label: 'Pipeline schedules', icon: pipelineIcon },
        () =>
          ReactWidget.create(
            <SchedulesView api={api} openRun={openRun} changed={changed} />
          )
      )
  });
  palette?.addItem({
    command: PipelineCommandIDs.openSchedules,
    category: 'MLOps'
  });
}

/** The command that opens a pipeline run (once) in the main area. */
function addRunCommand(
  app: JupyterFrontEnd,
  api: PipelinesApi,
  openTrackingRun: (runId: string) => void
): void {
  app.commands.addCommand(PipelineCommandIDs.openRun, {
    label: args => `Pipeline run ${String(args['runId'] ?? '').slice(0, 8)}`,
    execute: args => {
      const runId = String(args['runId']);
      openMainAreaTab(
        app,
        `jupyter-mlops-pipeline-run-${runId}`,
        { label: `Pipeline ${runId.slice(0, 8)}`, icon: pipelineIcon },
        () =>
          ReactWidget.create(
            <RunView
              api={api}
              runId={runId}
              onOpenTrackingRun={openTrackingRun}
            />
          )
      );
    }
  });
}
