import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { columnLabel } from './column-label';

export interface IShownColumnsProps {
  /** The visible columns, in order. */
  columns: string[];
  onMove: (id: string, delta: number) => void;
  onHide: (id: string) => void;
  trans: TranslationBundle;
}

/** The visible columns in order, each to move up or down, or hide. */
export function ShownColumns(props: IShownColumnsProps): JSX.Element {
  const { columns, trans } = props;
  return (
    <section className="mlops-ColumnPicker-shown">
      <h4>{trans.__('Shown, in order')}</h4>
      {columns.length === 0 && (
        <p className="mlops-Muted">{trans.__('Only the run name')}</p>
      )}
      <ol>
        {columns.map((id, index) => (
          <li key={id} data-column={id}>
            <span className="mlops-ColumnPicker-name" title={id}>
              {columnLabel(id)}
            </span>
            <button
              type="button"
              className="mlops-IconButton"
              title={trans.__('Move up')}
              disabled={index === 0}
              onClick={() => props.onMove(id, -1)}
            >
              ↑
            </button>
            <button
              type="button"
              className="mlops-IconButton"
              title={trans.__('Move down')}
              disabled={index === columns.length - 1}
              onClick={() => props.onMove(id, 1)}
            >
              ↓
            </button>
            <button
              type="button"
              className="mlops-IconButton"
              title={trans.__('Hide')}
              onClick={() => props.onHide(id)}
            >
              ×
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
