import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
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
 *
 * The renderer is a Lumino widget, but it is never `Widget.attach`ed: React
 * owns the host node and may remove it (a tab switch, a closed panel) before
 * any effect cleanup runs, and detaching an attached widget whose node has
 * left the document throws "Widget is not attached", which blanks the whole
 * view. Markdown renders in `renderModel`, so the node is placed in the host
 * by hand and taken out again by hand.
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
    // In the document before rendering, so that math typesetting sees it.
    host.appendChild(renderer.node);
    renderer.renderModel(model).catch(() => undefined);
    return () => {
      renderer.node.remove();
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
