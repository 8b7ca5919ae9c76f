import { DOMWidgetView, WidgetModel } from '@jupyter-widgets/base';
import { ReactWidget } from '@jupyterlab/ui-components';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

/**
 * A widget view whose content is a React element: rendered through
 * JupyterLab's ReactWidget (the shared React), unmounted with the view.
 */
export abstract class ReactDOMWidgetView extends DOMWidgetView {
  private _content: Widget | null = null;

  /** The element to render for this view's model. */
  protected abstract element(): React.ReactElement;

  render(): void {
    const content = ReactWidget.create(this.element());
    this._content = content;
    MessageLoop.sendMessage(content, Widget.Msg.BeforeAttach);
    this.el.appendChild(content.node);
    MessageLoop.sendMessage(content, Widget.Msg.AfterAttach);
  }

  remove(): void {
    const content = this._content;
    this._content = null;
    if (content) {
      MessageLoop.sendMessage(content, Widget.Msg.BeforeDetach);
      content.node.remove();
      MessageLoop.sendMessage(content, Widget.Msg.AfterDetach);
      content.dispose();
    }
    return super.remove();
  }
}

/** A model attribute as React state, updated on `change:<name>`. */
export function useModelValue<T>(model: WidgetModel, name: string): T {
  const [value, setValue] = React.useState<T>(() => model.get(name) as T);
  React.useEffect(() => {
    const update = (): void => setValue(model.get(name) as T);
    model.on(`change:${name}`, update);
    update();
    return () => {
      model.off(`change:${name}`, update);
    };
  }, [model, name]);
  return value;
}

/** Sets a model attribute and sends it to the kernel. */
export function setModelValue(
  model: WidgetModel,
  name: string,
  value: unknown
): void {
  model.set(name, value);
  model.save_changes();
}
