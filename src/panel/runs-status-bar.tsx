import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { TrackingApi } from '../api';
import type { IErrorState } from '../model';
import { RunsCount } from './runs-count';
import type { IRunsQueryState, RunsQuery } from './runs-query';
import { SelectedRunsActions } from './selected-runs-actions';
import { bulkRunActions } from './bulk-run-actions';

export interface IRunsStatusBarProps {
  api: TrackingApi;
  query: RunsQuery;
  state: IRunsQueryState;
  selected: Set<string>;
  setSelected: (selected: Set<string>) => void;
  setActionError: (error: IErrorState | null) => void;
  refreshInterval: number;
  onCompare: (runIds: string[]) => void;
  trans: TranslationBundle;
}

/** How many runs are loaded, and the actions on the selected ones. */
export function RunsStatusBar(props: IRunsStatusBarProps): JSX.Element {
  const { query, trans } = props;
  const { state } = props;
  const selectedIds = [...props.selected];
  const { tagSelected, deleteSelected } = bulkRunActions({
    api: props.api,
    query,
    selectedIds,
    setSelected: props.setSelected,
    setActionError: props.setActionError,
    trans
  });
  const running = state.runs.some(
    r => r.info.status === 'RUNNING' || r.info.status === 'SCHEDULED'
  );
  return (
    <div className="mlops-RunsView-status">
      <RunsCount
        loaded={state.runs.length}
        total={state.total}
        loading={state.loading}
        live={running}
        refreshInterval={props.refreshInterval}
        trans={trans}
      />
      {selectedIds.length > 0 && (
        <SelectedRunsActions
          count={selectedIds.length}
          onCompare={() => props.onCompare(selectedIds)}
          onTag={() => void tagSelected()}
          onDelete={() => void deleteSelected()}
          trans={trans}
        />
      )}
    </div>
  );
}
