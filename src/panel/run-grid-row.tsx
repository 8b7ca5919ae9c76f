import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import type { cellValue } from './columns';
import { RunGridCell } from './run-grid-cell';
import type { IRunTreeRow } from './runs-tree';

/** The height of a row of the runs table, in pixels. */
export const ROW_HEIGHT = 28;

/** A cell of a row, as the table model has it. */
export interface IRunGridCellData {
  /** The cell's id (unique in the table). */
  id: string;
  /** The column id. */
  column: string;
  value: ReturnType<typeof cellValue>;
}

export interface IRunGridRowProps {
  run: IRun;
  /** Where the run stands among nested runs. */
  tree: IRunTreeRow;
  onToggleExpanded: (runId: string) => void;
  cells: IRunGridCellData[];
  /** The row's index among the loaded runs. */
  index: number;
  /** Its offset from the top of the table body, in pixels. */
  start: number;
  /** The widths of the columns, as a grid template. */
  template: string;
  selected: boolean;
  onToggle: (event: React.MouseEvent) => void;
  onOpenRun: (runId: string) => void;
  trans: TranslationBundle;
}

/** One run of the virtualised runs table, placed at its offset. */
export function RunGridRow(props: IRunGridRowProps): JSX.Element {
  const { run, selected, tree } = props;
  return (
    <div
      role="row"
      aria-rowindex={props.index + 1}
      aria-level={tree.depth + 1}
      aria-expanded={tree.childCount > 0 ? tree.expanded : undefined}
      data-parent-run-id={tree.depth > 0 ? run.info.parent_run_id : undefined}
      aria-selected={selected}
      data-run-id={run.info.run_id}
      className={`mlops-RunsTable-row${selected ? ' jp-mod-selected' : ''}`}
      style={{
        gridTemplateColumns: props.template,
        height: ROW_HEIGHT,
        transform: `translateY(${props.start}px)`
      }}
    >
      {props.cells.map(cell => (
        <RunGridCell
          key={cell.id}
          id={cell.column}
          value={cell.value}
          run={run}
          tree={tree}
          onToggleExpanded={props.onToggleExpanded}
          selected={selected}
          onToggle={props.onToggle}
          onOpenRun={props.onOpenRun}
          trans={props.trans}
        />
      ))}
    </div>
  );
}
