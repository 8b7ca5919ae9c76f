import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ColumnPicker } from './column-picker';
import { FilterBox } from './filter-box';
import type { collectKeys } from './columns';

export interface IRunsToolbarProps {
  filter: string;
  filterError: string | null;
  loading: boolean;
  keys: ReturnType<typeof collectKeys>;
  /** The visible columns, in order. */
  columns: string[];
  onFilter: (filter: string) => void;
  onColumns: (columns: string[]) => void;
  /** Back to the default columns; absent while they are shown. */
  onResetColumns?: () => void;
  onRefresh: () => void;
  trans: TranslationBundle;
}

/** Above the runs table: the filter box, the column picker and Refresh. */
export function RunsToolbar(props: IRunsToolbarProps): JSX.Element {
  const { trans } = props;
  return (
    <div className="mlops-RunsView-toolbar">
      <FilterBox
        value={props.filter}
        error={props.filterError}
        keys={props.keys}
        onApply={props.onFilter}
        trans={trans}
      />
      <ColumnPicker
        columns={props.columns}
        keys={props.keys}
        onChange={props.onColumns}
        onReset={props.onResetColumns}
        trans={trans}
      />
      <button
        type="button"
        className="jp-Button jp-mod-styled mlops-RunsView-refresh"
        onClick={props.onRefresh}
        disabled={props.loading}
      >
        {trans.__('Refresh')}
      </button>
    </div>
  );
}
