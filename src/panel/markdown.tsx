import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

export interface IMarkdownProps {
  source: string;
  rendermime: IRenderMimeRegistry | null;
  className?: string;
}

/**
 * Markdown rendered by JupyterLab's own renderer (same look, math and
 * sanitising as notebooks; untrusted, so no script or raw HTML runs). Without
 * a renderer the text shows as it is.
 */
export function Markdown(props: IMarkdownProps): JSX.Element {
  const { source, rendermime } = props;
  const ref = React.useRef<HTMLDivElement>(null);
  React.useEffect(() => {
    const host = ref.current;
    if (!host || !rendermime) {
      return;
    }
    const renderer = rendermime.createRenderer('text/markdown');
    const model = rendermime.createModel({
      data: { 'text/markdown': source },
      trusted: false
    });
    let disposed = false;
    void renderer.renderModel(model).then(() => {
      if (!disposed && !renderer.isAttached) {
        Widget.attach(renderer, host);
      }
    });
    return () => {
      disposed = true;
      if (renderer.isAttached) {
        Widget.detach(renderer);
      }
      renderer.dispose();
    };
  }, [source, rendermime]);
  if (!rendermime) {
    return <pre className={props.className}>{source}</pre>;
  }
  return (
    <div ref={ref} className={`mlops-Markdown ${props.className ?? ''}`} />
  );
}
