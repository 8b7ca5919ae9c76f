import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { Signal } from '@lumino/signaling';
import * as React from 'react';

import { mlopsIcon } from '../icons';
import type { IPanelContext } from './context';

/** Which view a panel tab shows, and what it shows it for. */
export type PanelViewSpec =
  | { view: 'runs'; experimentIds?: string[] }
  | { view: 'run'; runId: string }
  | { view: 'compare'; runIds: string[] }
  | { view: 'registry'; model?: string };

/** The id of the tab showing a view, so opening it again focuses it. */
export function panelWidgetId(spec: PanelViewSpec): string {
  switch (spec.view) {
    case 'runs':
      return 'mlops-runs';
    case 'run':
      return `mlops-run-${spec.runId}`;
    case 'compare':
      return `mlops-compare-${[...spec.runIds].sort().join('-').slice(0, 200)}`;
    case 'registry':
      return 'mlops-registry';
  }
}

/**
 * A React view in a main-area tab that knows whether it is on screen, so
 * views only poll the server while someone can see them.
 */
export class PanelContent extends ReactWidget {
  constructor(
    readonly spec: PanelViewSpec,
    private readonly _render: (visible: boolean) => JSX.Element
  ) {
    super();
    this.addClass('mlops-Panel');
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._visible = true;
    this._visibility.emit(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._visible = false;
    this._visibility.emit(false);
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this._visibility} initialArgs={this._visible}>
        {(_, visible) => this._render(visible ?? this._visible)}
      </UseSignal>
    );
  }

  private _visible = false;
  private _visibility = new Signal<this, boolean>(this);
}

/** A main-area tab for a view. */
export function createPanelWidget(
  spec: PanelViewSpec,
  ctx: IPanelContext,
  label: string,
  render: (visible: boolean) => JSX.Element
): MainAreaWidget<PanelContent> {
  const content = new PanelContent(spec, render);
  const widget = new MainAreaWidget({ content });
  widget.id = panelWidgetId(spec);
  widget.title.label = label;
  widget.title.icon = mlopsIcon;
  widget.title.closable = true;
  widget.addClass('mlops-PanelWidget');
  return widget;
}
