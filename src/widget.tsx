import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import * as React from 'react';

import { SidebarView } from './components/sidebar-view';
import { mlopsIcon } from './icons';
import type { SidebarModel } from './model';

/**
 * The left-sidebar panel. It renders the model and tells it when it is seen,
 * so that hidden panels do not poll the server.
 */
export class MlopsSidebar extends ReactWidget {
  constructor(
    readonly model: SidebarModel,
    private readonly _trans: TranslationBundle,
    private readonly _commands: CommandRegistry | null = null
  ) {
    super();
    this.id = 'jp-mlops-sidebar';
    this.addClass('mlops-Sidebar');
    this.title.icon = mlopsIcon;
    this.title.caption = _trans.__('MLOps: experiments and runs');
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setActive(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setActive(false);
  }

  private _openRun = (runId: string) =>
    void this._commands?.execute('mlops:open-run', { runId });

  private _openRuns = (experimentId: string | null) =>
    void this._commands?.execute(
      'mlops:open-runs',
      experimentId ? { experimentId } : {}
    );

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => (
          <SidebarView
            model={this.model}
            trans={this._trans}
            onOpenRun={this._commands ? this._openRun : undefined}
            onOpenRuns={this._commands ? this._openRuns : undefined}
          />
        )}
      </UseSignal>
    );
  }
}
