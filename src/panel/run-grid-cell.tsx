import type { TranslationBundle } from '@jupyterlab/translation';
import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IRun } from '../api';
import { StatusBadge } from '../components/status-badge';
import { formatCell, isNumericColumn } from './cell-format';
import type { cellValue } from './columns';
import type { IRunTreeRow } from './runs-tree';

/** How far a child run's name is indented per level, in pixels. */
const INDENT = 16;

export interface IRunGridCellProps {
  /** The column id. */
  id: string;
  value: ReturnType<typeof cellValue>;
  run: IRun;
  /** Where the run stands among nested runs. */
  tree: IRunTreeRow;
  onToggleExpanded: (runId: string) => void;
  selected: boolean;
  onToggle: (event: React.MouseEvent) => void;
  onOpenRun: (runId: string) => void;
  trans: TranslationBundle;
}

/**
 * One cell of the runs table: the row's checkbox, the run's name (a link to
 * it, indented by its nesting, after a toggle that shows its child runs), its
 * status badge, or a formatted value.
 */
export function RunGridCell(props: IRunGridCellProps): JSX.Element {
  const { id, value, run, trans } = props;
  if (id === '__select') {
    return (
      <div role="gridcell" className="mlops-RunsTable-td">
        <input
          type="checkbox"
          aria-label={trans.__('Select %1', run.info.run_name)}
          checked={props.selected}
          onClick={props.onToggle}
          onChange={() => undefined}
        />
      </div>
    );
  }
  if (id === 'run_name') {
    const { tree } = props;
    return (
      <div
        role="gridcell"
        className="mlops-RunsTable-td mlops-RunsTable-nameCell"
        style={{ paddingLeft: 6 + tree.depth * INDENT }}
      >
        {tree.childCount > 0 ? (
          <button
            type="button"
            className="mlops-RunsTable-expand"
            aria-expanded={tree.expanded}
            aria-label={
              tree.expanded
                ? trans.__('Hide the child runs of %1', run.info.run_name)
                : trans.__('Show the child runs of %1', run.info.run_name)
            }
            title={trans._n('%1 child run', '%1 child runs', tree.childCount)}
            onClick={() => props.onToggleExpanded(run.info.run_id)}
          >
            {tree.expanded ? (
              <caretDownIcon.react tag="span" />
            ) : (
              <caretRightIcon.react tag="span" />
            )}
          </button>
        ) : (
          <span className="mlops-RunsTable-expandSpacer" aria-hidden />
        )}
        <button
          type="button"
          className="mlops-RunsTable-runLink"
          title={trans.__('Open run %1', run.info.run_id)}
          onClick={() => props.onOpenRun(run.info.run_id)}
        >
          {run.info.run_name || run.info.run_id.slice(0, 8)}
        </button>
        {tree.childCount > 0 && (
          <span className="mlops-RunsTable-childCount">{tree.childCount}</span>
        )}
      </div>
    );
  }
  if (id === 'status') {
    return (
      <div role="gridcell" className="mlops-RunsTable-td">
        <StatusBadge
          status={run.info.status}
          label={run.info.status.toLowerCase()}
        />
      </div>
    );
  }
  return (
    <div
      role="gridcell"
      data-column={id}
      className={`mlops-RunsTable-td${isNumericColumn(id) ? ' mlops-mod-numeric' : ''}`}
      title={value === null ? undefined : String(value)}
    >
      {formatCell(id, value)}
    </div>
  );
}
