import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { RunGridHeader } from './run-grid-header';
import type { ISortState } from './runs-table';
import { SortButton } from './sort-button';

/** A column header, as the table model has it. */
export interface IRunGridHeaderData {
  /** The header's id (unique in the table). */
  id: string;
  /** The column id. */
  column: string;
  /** Resizes the column; null: fixed width. */
  resizeHandler: ((event: unknown) => void) | null;
}

export interface IRunGridHeadProps {
  headers: IRunGridHeaderData[];
  /** The widths of the columns, as a grid template. */
  template: string;
  totalWidth: number;
  sort: ISortState | null;
  onSort: (sort: ISortState | null) => void;
  onMoveColumn: (id: string, toIndex: number) => void;
  /** Whether every loaded run is selected. */
  allSelected: boolean;
  onSelectAll: (select: boolean) => void;
  trans: TranslationBundle;
}

/** The header row of the runs table: select-all, then sortable titles. */
export function RunGridHead(props: IRunGridHeadProps): JSX.Element {
  const { allSelected, trans } = props;
  return (
    <div
      className="mlops-RunsTable-header"
      role="row"
      style={{ gridTemplateColumns: props.template, width: props.totalWidth }}
    >
      {props.headers.map((header, position) => (
        <RunGridHeader
          key={header.id}
          id={header.column}
          position={position}
          sort={props.sort}
          resizeHandler={header.resizeHandler}
          onMoveColumn={props.onMoveColumn}
        >
          {header.column === '__select' ? (
            <input
              type="checkbox"
              aria-label={trans.__('Select all loaded runs')}
              checked={allSelected}
              onChange={() => props.onSelectAll(!allSelected)}
            />
          ) : (
            <SortButton
              id={header.column}
              sort={props.sort}
              onSort={props.onSort}
              trans={trans}
            />
          )}
        </RunGridHeader>
      ))}
    </div>
  );
}
