import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { columnTitle } from './cell-format';
import { orderByFor } from './columns';
import type { ISortState } from './runs-table';

export interface ISortButtonProps {
  /** The column id. */
  id: string;
  sort: ISortState | null;
  onSort: (sort: ISortState | null) => void;
  trans: TranslationBundle;
}

/**
 * A column's title, which sorts the runs on the server by it: off, then
 * descending, then ascending, then off again.
 */
export function SortButton(props: ISortButtonProps): JSX.Element {
  const { id, trans } = props;
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
}
