import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import * as React from 'react';

import { stripAnsi } from './artifact-kind';
import { Markdown } from './markdown';

interface INotebookCell {
  cell_type: string;
  source: string | string[];
  outputs?: INotebookOutput[];
  execution_count?: number | null;
}

interface INotebookOutput {
  output_type: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  traceback?: string[];
  ename?: string;
  evalue?: string;
}

function joined(text: string | string[] | undefined): string {
  return Array.isArray(text) ? text.join('') : (text ?? '');
}

export interface INotebookPreviewProps {
  content: string;
  rendermime: IRenderMimeRegistry | null;
}

/**
 * A read-only notebook: markdown cells rendered, code cells with their
 * outputs (rendered by JupyterLab's renderers as untrusted output).
 */
export function NotebookPreview(props: INotebookPreviewProps): JSX.Element {
  let cells: INotebookCell[];
  try {
    const notebook = JSON.parse(props.content) as { cells?: INotebookCell[] };
    cells = Array.isArray(notebook.cells) ? notebook.cells : [];
  } catch (error) {
    return (
      <div className="mlops-Preview-error" role="alert">
        Not a readable notebook: {(error as Error).message}
      </div>
    );
  }
  return (
    <div className="mlops-NotebookPreview">
      {cells.map((cell, index) => (
        <div
          key={index}
          className={`mlops-NotebookPreview-cell mlops-mod-${cell.cell_type}`}
        >
          {cell.cell_type === 'markdown' ? (
            <Markdown
              source={joined(cell.source)}
              rendermime={props.rendermime}
            />
          ) : (
            <>
              <div className="mlops-NotebookPreview-input">
                <span className="mlops-NotebookPreview-prompt">
                  {cell.cell_type === 'code'
                    ? `[${cell.execution_count ?? ' '}]:`
                    : ''}
                </span>
                <pre>{joined(cell.source)}</pre>
              </div>
              {(cell.outputs ?? []).map((output, i) => (
                <NotebookOutput
                  key={i}
                  output={output}
                  rendermime={props.rendermime}
                />
              ))}
            </>
          )}
        </div>
      ))}
    </div>
  );
}

function NotebookOutput(props: {
  output: INotebookOutput;
  rendermime: IRenderMimeRegistry | null;
}): JSX.Element {
  const { output, rendermime } = props;
  const ref = React.useRef<HTMLDivElement>(null);
  const data = output.data;
  const mime =
    data && rendermime
      ? rendermime.preferredMimeType(data as any, 'ensure')
      : undefined;
  React.useEffect(() => {
    const host = ref.current;
    if (!host || !rendermime || !data || !mime) {
      return;
    }
    const renderer = rendermime.createRenderer(mime);
    const model = rendermime.createModel({ data: data as any, trusted: false });
    // Placed by hand, never Widget.attach'ed: see Markdown for why.
    host.appendChild(renderer.node);
    renderer.renderModel(model).catch(() => undefined);
    return () => {
      renderer.node.remove();
      renderer.dispose();
    };
  }, [output, rendermime, mime]);
  if (output.output_type === 'stream') {
    return (
      <pre className="mlops-NotebookPreview-output">{joined(output.text)}</pre>
    );
  }
  if (output.output_type === 'error') {
    return (
      <pre className="mlops-NotebookPreview-output mlops-mod-error">
        {stripAnsi((output.traceback ?? []).join('\n')) ||
          `${output.ename}: ${output.evalue}`}
      </pre>
    );
  }
  if (mime) {
    return <div ref={ref} className="mlops-NotebookPreview-output" />;
  }
  const text = data ? joined(data['text/plain'] as string | string[]) : '';
  return <pre className="mlops-NotebookPreview-output">{text}</pre>;
}
