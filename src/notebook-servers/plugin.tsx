import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { LabIcon, ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { addSidebar } from '../lab-shell';
import { NotebookServersApi } from './api';
import { ServersView } from './servers-view';

// A server rack: notebook servers.
const SERVERS_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M4 3h16a1 1 0 0 1 1 1v5a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1zm2 3v1h2V6H6zM4 14h16a1 1 0 0 1 1 1v5a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1v-5a1 1 0 0 1 1-1zm2 3v1h2v-1H6z"/>
  </g>
</svg>`;

export const serversIcon = new LabIcon({
  name: 'jupyter-mlops:notebook-servers',
  svgstr: SERVERS_SVG
});

export const OPEN_COMMAND = 'mlops:open-notebook-servers';
export const PANEL_ID = 'mlops-notebook-servers';

function activate(
  app: JupyterFrontEnd,
  palette: ICommandPalette | null,
  restorer: ILayoutRestorer | null,
  launcher: ILauncher | null
): void {
  const api = new NotebookServersApi(app.serviceManager.serverSettings);
  const panel = ReactWidget.create(<ServersView api={api} />);
  addSidebar(app, restorer, panel, {
    id: PANEL_ID,
    icon: serversIcon,
    caption: 'Notebook Servers',
    className: 'mlops-NbSidebar',
    rank: 660
  });
  app.commands.addCommand(OPEN_COMMAND, {
    label: args =>
      args['isLauncher'] ? 'Notebook Servers' : 'Open Notebook Servers',
    caption: 'Spawn and manage notebook servers',
    icon: serversIcon,
    execute: () => app.shell.activateById(PANEL_ID)
  });
  palette?.addItem({ command: OPEN_COMMAND, category: 'MLOps' });
  launcher?.add({
    command: OPEN_COMMAND,
    args: { isLauncher: true },
    category: 'MLOps',
    rank: 4
  });
}

/** The Notebook Servers panel in the left sidebar, and a command to open it. */
export const notebookServersPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlops:notebook-servers',
  description: 'Spawn and manage per-user notebook servers.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer, ILauncher],
  activate
};
