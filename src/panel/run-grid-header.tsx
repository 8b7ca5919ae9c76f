import * as React from 'react';

import { isNumericColumn } from './cell-format';
import type { ISortState } from './runs-table';

/** The drag data type of a column header being moved. */
const COLUMN_DRAG_TYPE = 'text/x-mlops-column';

export interface IRunGridHeaderProps {
  /** The column id. */
  id: string;
  /** Where the header stands, the checkbox and run name included. */
  position: number;
  sort: ISortState | null;
  /** Resizes the column by dragging its right edge; null: fixed width. */
  resizeHandler: ((event: unknown) => void) | null;
  onMoveColumn: (id: string, toIndex: number) => void;
  children: React.ReactNode;
}

/**
 * One column header of the runs table: dropped on by another header to move
 * that column here, and resized at its right edge.
 */
export function RunGridHeader(props: IRunGridHeaderProps): JSX.Element {
  const { id, sort, resizeHandler } = props;
  const movable = id !== '__select' && id !== 'run_name';
  return (
    <div
      role="columnheader"
      data-column={id}
      aria-sort={
        sort?.column === id
          ? sort.descending
            ? 'descending'
            : 'ascending'
          : undefined
      }
      className={`mlops-RunsTable-th${isNumericColumn(id) ? ' mlops-mod-numeric' : ''}`}
      draggable={movable}
      onDragStart={event => {
        event.dataTransfer.setData(COLUMN_DRAG_TYPE, id);
        event.dataTransfer.effectAllowed = 'move';
      }}
      onDragOver={event => {
        if (movable && event.dataTransfer.types.includes(COLUMN_DRAG_TYPE)) {
          event.preventDefault();
        }
      }}
      onDrop={event => {
        const moved = event.dataTransfer.getData(COLUMN_DRAG_TYPE);
        if (moved && moved !== id) {
          event.preventDefault();
          // Positions 0 and 1 are the checkbox and the run name.
          props.onMoveColumn(moved, Math.max(0, props.position - 2));
        }
      }}
    >
      {props.children}
      {resizeHandler && (
        <div
          className="mlops-RunsTable-resizer"
          onMouseDown={resizeHandler}
          onClick={event => event.stopPropagation()}
          aria-hidden
        />
      )}
    </div>
  );
}
