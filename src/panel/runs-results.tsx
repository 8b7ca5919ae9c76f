import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { orderByFor } from './columns';
import type { IRunsQueryState, RunsQuery } from './runs-query';
import { ISortState, RunsTable } from './runs-table';

export interface IRunsResultsProps {
  query: RunsQuery;
  state: IRunsQueryState;
  /** Column ids after the run name, in order. */
  columns: string[];
  experimentNames: ReadonlyMap<string, string>;
  now: number;
  selected: ReadonlySet<string>;
  onSelect: (selected: Set<string>) => void;
  onOpenRun: (runId: string) => void;
  onMoveColumn: (id: string, toIndex: number) => void;
  trans: TranslationBundle;
}

/**
 * The runs found, in the table (sorted by the server, more loaded near its
 * end), or a line saying there are none.
 */
export function RunsResults(props: IRunsResultsProps): JSX.Element {
  const { query, state, trans } = props;
  const [sort, setSort] = React.useState<ISortState | null>(null);
  if (state.runs.length === 0 && !state.loading && !state.filterError) {
    return (
      <div className="mlops-Placeholder mlops-RunsView-empty">
        {state.filter
          ? trans.__('No runs match the filter.')
          : trans.__('No runs in this experiment yet.')}
      </div>
    );
  }
  return (
    <RunsTable
      runs={state.runs}
      columns={props.columns}
      experimentNames={props.experimentNames}
      now={props.now}
      sort={sort}
      onSort={next => {
        setSort(next);
        void query.search({
          orderBy: next ? orderByFor(next.column, next.descending) : null
        });
      }}
      selected={props.selected}
      onSelect={props.onSelect}
      onOpenRun={props.onOpenRun}
      onMoveColumn={props.onMoveColumn}
      onNearEnd={() => void query.loadMore()}
      trans={trans}
    />
  );
}
