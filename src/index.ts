import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { TrackingApi } from './api';
import { mlopsIcon } from './icons';
import { SidebarModel } from './model';
import { settingsFrom } from './settings';
import { MlopsSidebar } from './widget';
import { notebookServersPlugin } from './notebook-servers';
import { panelPlugin } from './panel/plugin';
import { pipelinesPlugin } from './pipelines';
import { runLinkPlugin } from './run-link';
import { widgetsPlugin } from './widgets';

const PLUGIN_ID = 'jupyter-mlops:plugin';

/**
 * Command ids, for keyboard shortcuts, menus and other extensions.
 */
export namespace CommandIDs {
  export const openSidebar = 'mlops:open-sidebar';
  export const refresh = 'mlops:refresh';
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Experiment tracking in the JupyterLab sidebar.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyter_mlops');
    const api = new TrackingApi(app.serviceManager.serverSettings);
    const model = new SidebarModel(api);
    const sidebar = new MlopsSidebar(model, trans, app.commands);

    app.shell.add(sidebar, 'left', { rank: 650 });
    if (restorer) {
      restorer.add(sidebar, 'jupyter-mlops-sidebar');
    }

    app.commands.addCommand(CommandIDs.openSidebar, {
      label: trans.__('Open MLOps Sidebar'),
      caption: trans.__('Show experiments and runs'),
      icon: args => (args['isPalette'] ? undefined : mlopsIcon),
      execute: () => app.shell.activateById(sidebar.id)
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Refresh MLOps Experiments'),
      caption: trans.__('Reload experiments and runs from the server'),
      execute: () => model.refresh()
    });
    if (palette) {
      const category = trans.__('MLOps');
      palette.addItem({
        command: CommandIDs.openSidebar,
        category,
        args: { isPalette: true }
      });
      palette.addItem({ command: CommandIDs.refresh, category });
    }

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          model.setSettings(settingsFrom(settings));
          settings.changed.connect(() => {
            model.setSettings(settingsFrom(settings));
          });
        })
        .catch(reason => {
          // The defaults still work; say why the user's settings are ignored.
          console.error(
            `jupyter-mlops: cannot load settings for ${PLUGIN_ID}, using defaults.`,
            reason
          );
        });
    }
  }
};

export default [
  plugin,
  panelPlugin,
  pipelinesPlugin,
  widgetsPlugin,
  notebookServersPlugin,
  runLinkPlugin
];
