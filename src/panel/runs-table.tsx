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
import { StatusBadge } from '../components/status-badge';
import { cellValue, orderByFor } from './columns';
import { columnTitle, formatCell, isNumericColumn } from './cell-format';

const features = tableFeatures({ columnSizingFeature, columnResizingFeature });
const helper = createColumnHelper<typeof features, IRun>();

export const ROW_HEIGHT = 28;
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
  const lastClicked = React.useRef<number | null>(null);

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
  const table = useTable({
    features,
    columns: columnDefs,
    data: runs,
    getRowId: run => run.info.run_id,
    columnResizeMode: 'onChange'
  });
  const rows = table.getRowModel().rows;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1].index : 0;
  React.useEffect(() => {
    if (rows.length > 0 && lastIndex >= rows.length - LOAD_AHEAD_ROWS) {
      props.onNearEnd();
    }
  }, [lastIndex, rows.length]);

  const headers = table.getHeaderGroups()[0].headers;
  const template = headers.map(h => `${h.getSize()}px`).join(' ');
  const totalWidth = table.getTotalSize();
  const allSelected =
    runs.length > 0 && runs.every(run => props.selected.has(run.info.run_id));

  const toggleRow = (index: number, event: React.MouseEvent) => {
    const next = new Set(props.selected);
    const id = runs[index].info.run_id;
    if (event.shiftKey && lastClicked.current !== null) {
      const [from, to] = [lastClicked.current, index].sort((a, b) => a - b);
      const select = !props.selected.has(id);
      for (let i = from; i <= to; i++) {
        if (select) {
          next.add(runs[i].info.run_id);
        } else {
          next.delete(runs[i].info.run_id);
        }
      }
    } else if (next.has(id)) {
      next.delete(id);
    } else {
      next.add(id);
    }
    lastClicked.current = index;
    props.onSelect(next);
  };

  const headerCell = (id: string) => {
    if (id === '__select') {
      return (
        <input
          type="checkbox"
          aria-label={trans.__('Select all loaded runs')}
          checked={allSelected}
          onChange={() =>
            props.onSelect(
              allSelected ? new Set() : new Set(runs.map(r => r.info.run_id))
            )
          }
        />
      );
    }
    const sortable = orderByFor(id, false) !== null;
    const sorted = props.sort?.column === id ? props.sort : null;
    const title = columnTitle(id);
    return (
      <button
        type="button"
        className="mlops-RunsTable-sort"
        disabled={!sortable}
        title={
          sortable
            ? trans.__('Sort by %1 (on the server)', id)
            : trans.__('%1 cannot be sorted by the server', title)
        }
        onClick={() => {
          // Off -> descending -> ascending -> off; metrics read best low or high.
          if (!sorted) {
            props.onSort({ column: id, descending: true });
          } else if (sorted.descending) {
            props.onSort({ column: id, descending: false });
          } else {
            props.onSort(null);
          }
        }}
      >
        <span className="mlops-RunsTable-title">{title}</span>
        {sorted && (
          <span className="mlops-RunsTable-sortMark" aria-hidden>
            {sorted.descending ? '▼' : '▲'}
          </span>
        )}
      </button>
    );
  };

  return (
    <div
      ref={scrollRef}
      className="mlops-RunsTable"
      role="grid"
      aria-rowcount={runs.length}
      aria-label={trans.__('Runs')}
    >
      <div
        className="mlops-RunsTable-header"
        role="row"
        style={{ gridTemplateColumns: template, width: totalWidth }}
      >
        {headers.map((header, position) => {
          const id = header.column.id;
          const movable = id !== '__select' && id !== 'run_name';
          return (
            <div
              key={header.id}
              role="columnheader"
              data-column={id}
              aria-sort={
                props.sort?.column === id
                  ? props.sort.descending
                    ? 'descending'
                    : 'ascending'
                  : undefined
              }
              className={`mlops-RunsTable-th${isNumericColumn(id) ? ' mlops-mod-numeric' : ''}`}
              draggable={movable}
              onDragStart={event => {
                event.dataTransfer.setData('text/x-mlops-column', id);
                event.dataTransfer.effectAllowed = 'move';
              }}
              onDragOver={event => {
                if (
                  movable &&
                  event.dataTransfer.types.includes('text/x-mlops-column')
                ) {
                  event.preventDefault();
                }
              }}
              onDrop={event => {
                const moved = event.dataTransfer.getData('text/x-mlops-column');
                if (moved && moved !== id) {
                  event.preventDefault();
                  // Positions 0 and 1 are the checkbox and the run name.
                  props.onMoveColumn(moved, Math.max(0, position - 2));
                }
              }}
            >
              {headerCell(id)}
              {header.column.getCanResize() && (
                <div
                  className="mlops-RunsTable-resizer"
                  onMouseDown={header.getResizeHandler()}
                  onClick={event => event.stopPropagation()}
                  aria-hidden
                />
              )}
            </div>
          );
        })}
      </div>
      <div
        className="mlops-RunsTable-body"
        style={{ height: virtualizer.getTotalSize(), width: totalWidth }}
      >
        {items.map(item => {
          const row = rows[item.index];
          const run = row.original;
          const selected = props.selected.has(run.info.run_id);
          return (
            <div
              key={row.id}
              role="row"
              aria-rowindex={item.index + 1}
              aria-selected={selected}
              data-run-id={run.info.run_id}
              className={`mlops-RunsTable-row${selected ? ' jp-mod-selected' : ''}`}
              style={{
                gridTemplateColumns: template,
                height: ROW_HEIGHT,
                transform: `translateY(${item.start}px)`
              }}
            >
              {row.getAllCells().map(cell => {
                const id = cell.column.id;
                if (id === '__select') {
                  return (
                    <div
                      key={cell.id}
                      role="gridcell"
                      className="mlops-RunsTable-td"
                    >
                      <input
                        type="checkbox"
                        aria-label={trans.__('Select %1', run.info.run_name)}
                        checked={selected}
                        onClick={event => toggleRow(item.index, event)}
                        onChange={() => undefined}
                      />
                    </div>
                  );
                }
                const value = cell.getValue() as ReturnType<typeof cellValue>;
                if (id === 'run_name') {
                  return (
                    <div
                      key={cell.id}
                      role="gridcell"
                      className="mlops-RunsTable-td"
                    >
                      <button
                        type="button"
                        className="mlops-RunsTable-runLink"
                        title={trans.__('Open run %1', run.info.run_id)}
                        onClick={() => props.onOpenRun(run.info.run_id)}
                      >
                        {run.info.run_name || run.info.run_id.slice(0, 8)}
                      </button>
                    </div>
                  );
                }
                if (id === 'status') {
                  return (
                    <div
                      key={cell.id}
                      role="gridcell"
                      className="mlops-RunsTable-td"
                    >
                      <StatusBadge
                        status={run.info.status}
                        label={run.info.status.toLowerCase()}
                      />
                    </div>
                  );
                }
                const text = formatCell(id, value);
                return (
                  <div
                    key={cell.id}
                    role="gridcell"
                    data-column={id}
                    className={`mlops-RunsTable-td${isNumericColumn(id) ? ' mlops-mod-numeric' : ''}`}
                    title={value === null ? undefined : String(value)}
                  >
                    {text}
                  </div>
                );
              })}
            </div>
          );
        })}
      </div>
    </div>
  );
}
