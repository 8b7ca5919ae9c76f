import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { RUN_LINK_MIME_TYPE, RunLinkRenderer } from './renderer';

/** Before text/plain (rank 120) and JSON (75): the button is what people want. */
const RANK = 60;

/**
 * Renders the "view run" link that `start_run` and `%%track` print in a
 * cell's output as a button opening the run in the MLOps panel.
 */
export const runLinkPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlops:run-link',
  description: 'A "View run" button in the output of cells that start a run.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [ITranslator],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyter_mlops');
    rendermime.addFactory(
      {
        safe: true,
        mimeTypes: [RUN_LINK_MIME_TYPE],
        createRenderer: () => new RunLinkRenderer(app.commands, trans)
      },
      RANK
    );
  }
};
