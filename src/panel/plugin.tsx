import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import * as React from 'react';

import { TrackingApi } from '../api';
import { mlopsIcon } from '../icons';
import { PanelCommandIDs } from './commands';
import { CompareView } from './compare-view';
import { IPanelContext, PanelSettings } from './context';
import {
  createPanelWidget,
  PanelContent,
  PanelViewSpec,
  panelWidgetId
} from './panel-widget';
import { RegistryApi } from './registry-api';
import { RegistryView } from './registry-view';
import { RunView } from './run-view';
import { RunsView } from './runs-view';

/** The settings the panel shares with the sidebar (schema/plugin.json). */
const SETTINGS_ID = 'jupyter-mlops:plugin';

/**
 * The MLOps main-area views: runs (with experiments), one run, compare, and
 * the model registry; opened from the sidebar, the launcher and the palette.
 */
export const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlops:panel',
  description: 'Main-area views to browse, compare and register runs.',
  autoStart: true,
  optional: [
    ICommandPalette,
    ILauncher,
    ILayoutRestorer,
    IRenderMimeRegistry,
    ISettingRegistry,
    ITranslator
  ],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    restorer: ILayoutRestorer | null,
    rendermime: IRenderMimeRegistry | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyter_mlops');
    const settings = new PanelSettings();
    const ctx: IPanelContext = {
      api: new TrackingApi(app.serviceManager.serverSettings),
      registry: new RegistryApi(app.serviceManager.serverSettings),
      commands: app.commands,
      rendermime,
      settings,
      trans
    };
    if (settingRegistry) {
      settingRegistry
        .load(SETTINGS_ID)
        .then(loaded => settings.connect(loaded))
        .catch(reason =>
          console.error(
            `jupyter-mlops: cannot load settings for ${SETTINGS_ID}, using defaults.`,
            reason
          )
        );
    }

    const tracker = new WidgetTracker<MainAreaWidget<PanelContent>>({
      namespace: 'jupyter-mlops-panel'
    });

    const open = (spec: PanelViewSpec): MainAreaWidget<PanelContent> => {
      const id = panelWidgetId(spec);
      const existing = tracker.find(w => w.id === id);
      if (existing) {
        app.shell.activateById(id);
        return existing;
      }
      let widget: MainAreaWidget<PanelContent> | null = null;
      const setLabel = (label: string) => {
        if (widget) {
          widget.title.label = label;
        }
      };
      const [label, render] = viewFor(spec, ctx, setLabel);
      widget = createPanelWidget(spec, ctx, label, render);
      void tracker.add(widget);
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    };

    addPanelCommands(app, trans, open);
    addToPaletteAndLauncher(palette, launcher, trans);
    if (restorer) {
      void restorer.restore(tracker, {
        command: PanelCommandIDs.openView,
        args: widget => ({ ...widget.content.spec }) as any,
        name: widget => widget.id
      });
    }
  }
};

/** The commands that open the views (the tab of one that is open). */
function addPanelCommands(
  app: JupyterFrontEnd,
  trans: TranslationBundle,
  open: (spec: PanelViewSpec) => MainAreaWidget<PanelContent>
): void {
  app.commands.addCommand(PanelCommandIDs.openRuns, {
    label: trans.__('MLOps Runs'),
    caption: trans.__('Browse experiments and runs'),
    icon: args => (args['isPalette'] ? undefined : mlopsIcon),
    execute: args => {
      const experimentId = args['experimentId'] as string | undefined;
      return open({
        view: 'runs',
        experimentIds: experimentId ? [experimentId] : undefined
      });
    }
  });
  app.commands.addCommand(PanelCommandIDs.openRun, {
    label: args =>
      args['runId']
        ? trans.__('Open MLOps Run %1', String(args['runId']).slice(0, 8))
        : trans.__('Open MLOps Run'),
    execute: args => open({ view: 'run', runId: String(args['runId']) })
  });
  app.commands.addCommand(PanelCommandIDs.compareRuns, {
    label: trans.__('Compare MLOps Runs'),
    execute: args =>
      open({
        view: 'compare',
        runIds: ((args['runIds'] as string[] | undefined) ?? []).map(String)
      })
  });
  app.commands.addCommand(PanelCommandIDs.openRegistry, {
    label: trans.__('MLOps Model Registry'),
    caption: trans.__('Registered models, versions and aliases'),
    icon: args => (args['isPalette'] ? undefined : mlopsIcon),
    execute: args =>
      open({
        view: 'registry',
        model: (args['model'] as string | undefined) ?? undefined
      })
  });
  app.commands.addCommand(PanelCommandIDs.openView, {
    label: trans.__('Open MLOps View'),
    execute: args => open(args as unknown as PanelViewSpec)
  });
}

/** The runs and registry views in the command palette and the launcher. */
function addToPaletteAndLauncher(
  palette: ICommandPalette | null,
  launcher: ILauncher | null,
  trans: TranslationBundle
): void {
  if (palette) {
    const category = trans.__('MLOps');
    for (const command of [
      PanelCommandIDs.openRuns,
      PanelCommandIDs.openRegistry
    ]) {
      palette.addItem({ command, category, args: { isPalette: true } });
    }
  }
  if (launcher) {
    const category = trans.__('MLOps');
    launcher.add({ command: PanelCommandIDs.openRuns, category, rank: 1 });
    launcher.add({
      command: PanelCommandIDs.openRegistry,
      category,
      rank: 2
    });
  }
}

function viewFor(
  spec: PanelViewSpec,
  ctx: IPanelContext,
  setLabel: (label: string) => void
): [string, (visible: boolean) => JSX.Element] {
  const { trans } = ctx;
  switch (spec.view) {
    case 'runs':
      return [
        trans.__('MLOps Runs'),
        visible => (
          <RunsView
            ctx={ctx}
            experimentIds={spec.experimentIds}
            visible={visible}
          />
        )
      ];
    case 'run':
      return [
        trans.__('Run %1', spec.runId.slice(0, 8)),
        visible => (
          <RunView
            ctx={ctx}
            runId={spec.runId}
            visible={visible}
            onName={name => setLabel(trans.__('Run %1', name))}
          />
        )
      ];
    case 'compare':
      return [
        trans.__('Compare %1 runs', spec.runIds.length),
        visible => (
          <CompareView ctx={ctx} runIds={spec.runIds} visible={visible} />
        )
      ];
    case 'registry':
      return [
        trans.__('Model Registry'),
        visible => (
          <RegistryView ctx={ctx} initialModel={spec.model} visible={visible} />
        )
      ];
  }
}
