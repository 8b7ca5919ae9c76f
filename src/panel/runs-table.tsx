import type { TranslationBundle } from '@jupyterlab/translation';
import {
  columnResizingFeature,
  columnSizingFeature,
  createColumnHelper,
  tableFeatures,
  useTable
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import * as React from 'react';

import type { IRun } from '../api';
import { cellValue } from './columns';
import { RunGridHead } from './run-grid-head';
import { ROW_HEIGHT, RunGridRow } from './run-grid-row';
import { useRowSelection } from './use-row-selection';

const features = tableFeatures({ columnSizingFeature, columnResizingFeature });
const helper = createColumnHelper<typeof features, IRun>();

export { ROW_HEIGHT };
const COLUMN_WIDTHS: Record<string, number> = {
  run_name: 200,
  run_id: 270,
  start_time: 160,
  end_time: 160,
  status: 100
};
/** Load the next page when the last rendered row is this close to the end. */
const LOAD_AHEAD_ROWS = 100;

export interface ISortState {
  column: string;
  descending: boolean;
}

export interface IRunsTableProps {
  runs: IRun[];
  /** Column ids after the run name, in order. */
  columns: string[];
  experimentNames: ReadonlyMap<string, string>;
  now: number;
  sort: ISortState | null;
  onSort: (sort: ISortState | null) => void;
  selected: ReadonlySet<string>;
  onSelect: (selected: Set<string>) => void;
  onOpenRun: (runId: string) => void;
  onMoveColumn: (id: string, toIndex: number) => void;
  /** Called when the user scrolls near the last loaded row. */
  onNearEnd: () => void;
  trans: TranslationBundle;
}

/**
 * The runs as a virtualised table (TanStack Table for the model, TanStack
 * Virtual for the rows): only the rows in view are in the DOM, so 10,000 runs
 * scroll like 10. Sorting is the server's (`order_by`); headers can be
 * dragged to reorder and resized at their right edge.
 */
export function RunsTable(props: IRunsTableProps): JSX.Element {
  const { runs, columns, now, experimentNames, trans } = props;
  const scrollRef = React.useRef<HTMLDivElement>(null);
  const toggleRow = useRowSelection(runs, props.selected, props.onSelect);

  const table = useRunsTableModel(runs, columns, now, experimentNames);
  const rows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12
  });
  const items = virtualizer.getVirtualItems();
  useNearEnd(items, rows.length, props.onNearEnd);

  const headers = table.getHeaderGroups()[0].headers;
  const template = headers.map(h => `${h.getSize()}px`).join(' ');
  const totalWidth = table.getTotalSize();
  const allSelected =
    runs.length > 0 && runs.every(run => props.selected.has(run.info.run_id));

  return (
    <div
      ref={scrollRef}
      className="mlops-RunsTable"
      role="grid"
      aria-rowcount={runs.length}
      aria-label={trans.__('Runs')}
    >
      <RunGridHead
        headers={headers.map(header => ({
          id: header.id,
          column: header.column.id,
          resizeHandler: header.column.getCanResize()
            ? header.getResizeHandler()
            : null
        }))}
        template={template}
        totalWidth={totalWidth}
        sort={props.sort}
        onSort={props.onSort}
        onMoveColumn={props.onMoveColumn}
        allSelected={allSelected}
        onSelectAll={select =>
          props.onSelect(
            select ? new Set(runs.map(r => r.info.run_id)) : new Set()
          )
        }
        trans={trans}
      />
      <div
        className="mlops-RunsTable-body"
        style={{ height: virtualizer.getTotalSize(), width: totalWidth }}
      >
        {items.map(item => {
          const row = rows[item.index];
          return (
            <RunGridRow
              key={row.id}
              run={row.original}
              cells={row.getAllCells().map(cell => ({
                id: cell.id,
                column: cell.column.id,
                value: cell.getValue() as ReturnType<typeof cellValue>
              }))}
              index={item.index}
              start={item.start}
              template={template}
              selected={props.selected.has(row.original.info.run_id)}
              onToggle={event => toggleRow(item.index, event)}
              onOpenRun={props.onOpenRun}
              trans={trans}
            />
          );
        })}
      </div>
    </div>
  );
}

/** The table model of the runs: a checkbox column, the name, then `columns`. */
function useRunsTableModel(
  runs: IRun[],
  columns: string[],
  now: number,
  experimentNames: ReadonlyMap<string, string>
) {
  const columnDefs = React.useMemo(
    () =>
      helper.columns([
        helper.display({ id: '__select', size: 32, enableResizing: false }),
        ...['run_name', ...columns].map(id =>
          helper.accessor(run => cellValue(run, id, now, experimentNames), {
            id,
            size: COLUMN_WIDTHS[id] ?? 120,
            minSize: 50
          })
        )
      ]),
    [columns, now, experimentNames]
  );
  return useTable({
    features,
    columns: columnDefs,
    data: runs,
    getRowId: run => run.info.run_id,
    columnResizeMode: 'onChange'
  });
}

/** Calls `onNearEnd` when the last rendered row nears the last loaded one. */
function useNearEnd(
  items: { index: number }[],
  rowCount: number,
  onNearEnd: () => void
): void {
  const lastIndex = items.length > 0 ? items[items.length - 1].index : 0;
  React.useEffect(() => {
    if (rowCount > 0 && lastIndex >= rowCount - LOAD_AHEAD_ROWS) {
      onNearEnd();
    }
  }, [lastIndex, rowCount]);
}
