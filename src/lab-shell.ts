import { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

/** How a panel of ours sits in the left sidebar. */
export interface ISidebarOptions {
  id: string;
  icon: LabIcon;
  caption: string;
  className: string;
  rank: number;
}

/**
 * Put `widget` in the left sidebar, restored with the layout when a restorer
 * is there.
 */
export function addSidebar(
  app: JupyterFrontEnd,
  restorer: ILayoutRestorer | null,
  widget: Widget,
  options: ISidebarOptions
): void {
  widget.id = options.id;
  widget.title.icon = options.icon;
  widget.title.caption = options.caption;
  widget.addClass(options.className);
  app.shell.add(widget, 'left', { rank: options.rank });
  restorer?.add(widget, options.id);
}

/**
 * Bring the main-area tab `id` to the front, creating it from `content()`
 * (a closable tab with `label` and `icon`) when it is not open yet.
 */
export function openMainAreaTab(
  app: JupyterFrontEnd,
  id: string,
  title: { label: string; icon: LabIcon },
  content: () => Widget
): void {
  const open = Array.from(app.shell.widgets('main')).some(w => w.id === id);
  if (!open) {
    const widget = new MainAreaWidget({ content: content() });
    widget.id = id;
    widget.title.label = title.label;
    widget.title.icon = title.icon;
    widget.title.closable = true;
    app.shell.add(widget, 'main');
  }
  app.shell.activateById(id);
}
