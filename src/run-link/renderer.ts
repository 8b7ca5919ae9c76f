import type { IRenderMime } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

/** The MIME type `jupyter_mlops.client.run_link` sends when a run starts. */
export const RUN_LINK_MIME_TYPE = 'application/vnd.jupyter-mlops.run+json';

/** The command that opens a run in the MLOps panel (PanelCommandIDs.openRun). */
export const OPEN_RUN_COMMAND = 'mlops:open-run';

/** What the kernel sends about the run. */
export interface IRunLinkData {
  run_id: string;
  run_name?: string | null;
  experiment_id?: string | null;
}

/** The run in a bundle of ours, or null when it holds no run id. */
export function readRunLink(data: unknown): IRunLinkData | null {
  if (!data || typeof data !== 'object') {
    return null;
  }
  const fields = data as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const runId = text(fields['run_id']);
  if (!runId) {
    return null;
  }
  return {
    run_id: runId,
    run_name: text(fields['run_name']),
    experiment_id: text(fields['experiment_id'])
  };
}

/**
 * A "View run" button in a cell's output that opens the run in the MLOps
 * panel. Built from DOM nodes and text only (no HTML from the kernel), so
 * it is safe in untrusted notebooks too.
 */
export class RunLinkRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(
    private readonly _commands: CommandRegistry,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('mlops-RunLink');
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const trans = this._trans;
    const run = readRunLink(model.data[RUN_LINK_MIME_TYPE]);
    this.node.textContent = '';
    if (!run) {
      this.node.textContent = trans.__('MLOps run (no run id in the output)');
      return Promise.resolve();
    }
    const name = run.run_name || run.run_id.slice(0, 8);
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'jp-Button jp-mod-styled mlops-RunLink-open';
    button.textContent = trans.__('View run %1', name);
    button.title = trans.__('Open run %1 in the MLOps panel', run.run_id);
    button.dataset.runId = run.run_id;
    button.addEventListener('click', () => {
      void this._commands.execute(OPEN_RUN_COMMAND, { runId: run.run_id });
    });
    const id = document.createElement('span');
    id.className = 'mlops-RunLink-id';
    id.textContent = run.run_id;
    this.node.append(button, id);
    return Promise.resolve();
  }
}
