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
import { buildRunTree, IRunTreeRow } from './runs-tree';
import { useRowSelection } from './use-row-selection';

const features = tableFeatures({ columnSizingFeature, columnResizingFeature });
const helper = createColumnHelper<typeof features, IRunTreeRow>();

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
 * dragged to reorder and resized at their right edge. A run whose parent is
 * loaded is listed under it, shown when the parent is expanded.
 */
export function RunsTable(props: IRunsTableProps): JSX.Element {
  const { runs, columns, now, experimentNames, trans } = props;
  const scrollRef = React.useRef<HTMLDivElement>(null);
  const [expanded, setExpanded] = React.useState<ReadonlySet<string>>(
    new Set()
  );
  const tree = React.useMemo(
    () => buildRunTree(runs, expanded),
    [runs, expanded]
  );
  const shown = React.useMemo(() => tree.map(row => row.run), [tree]);
  const toggleRow = useRowSelection(shown, props.selected, props.onSelect);
  const toggleExpanded = (runId: string) => {
    const next = new Set(expanded);
    if (!next.delete(runId)) {
      next.add(runId);
    }
    setExpanded(next);
  };

  const table = useRunsTableModel(tree, columns, now, experimentNames);
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
    shown.length > 0 && shown.every(run => props.selected.has(run.info.run_id));

  return (
    <div
      ref={scrollRef}
      className="mlops-RunsTable"
      role="grid"
      aria-rowcount={shown.length}
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
            select ? new Set(shown.map(r => r.info.run_id)) : new Set()
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
              run={row.original.run}
              tree={row.original}
              onToggleExpanded={toggleExpanded}
              cells={row.getAllCells().map(cell => ({
                id: cell.id,
                column: cell.column.id,
                value: cell.getValue() as ReturnType<typeof cellValue>
              }))}
              index={item.index}
              start={item.start}
              template={template}
              selected={props.selected.has(row.original.run.info.run_id)}
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

/** The table model of the rows: a checkbox column, the name, then `columns`. */
function useRunsTableModel(
  rows: IRunTreeRow[],
  columns: string[],
  now: number,
  experimentNames: ReadonlyMap<string, string>
) {
  const columnDefs = React.useMemo(
    () =>
      helper.columns([
        helper.display({ id: '__select', size: 32, enableResizing: false }),
        ...['run_name', ...columns].map(id =>
          helper.accessor(row => cellValue(row.run, id, now, experimentNames), {
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
    data: rows,
    getRowId: row => row.run.info.run_id,
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
