import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { StatusBadge } from '../components/status-badge';
import { formatCell, isNumericColumn } from './cell-format';
import type { cellValue } from './columns';

export interface IRunGridCellProps {
  /** The column id. */
  id: string;
  value: ReturnType<typeof cellValue>;
  run: IRun;
  selected: boolean;
  onToggle: (event: React.MouseEvent) => void;
  onOpenRun: (runId: string) => void;
  trans: TranslationBundle;
}

/**
 * One cell of the runs table: the row's checkbox, the run's name (a link to
 * it), its status badge, or a formatted value.
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
    return (
      <div role="gridcell" className="mlops-RunsTable-td">
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
