import * as React from 'react';

import { ErrorBanner } from '../components/error-banner';
import { describeError, IErrorState } from '../model';
import type { IMlopsSettings } from '../settings';
import { columnsFor, withColumnChoice } from './column-choice';
import { collectKeys, moveColumn } from './columns';
import { PanelCommandIDs } from './commands';
import type { IPanelContext } from './context';
import type { IRunsQueryState, RunsQuery } from './runs-query';
import { RunsResults } from './runs-results';
import { RunsStatusBar } from './runs-status-bar';
import { RunsToolbar } from './runs-toolbar';
import { useInterval } from './use-signal-state';

export interface IRunsPanelProps {
  ctx: IPanelContext;
  query: RunsQuery;
  state: IRunsQueryState;
  settings: IMlopsSettings;
  experimentNames: ReadonlyMap<string, string>;
  selected: Set<string>;
  setSelected: (selected: Set<string>) => void;
  actionError: IErrorState | null;
  setActionError: (error: IErrorState | null) => void;
  /** Whether the view is on screen (it only polls then). */
  visible: boolean;
}

/**
 * The runs of the shown experiments: toolbar, status and selection actions,
 * errors, and the table; polled while visible.
 */
export function RunsPanel(props: IRunsPanelProps): JSX.Element {
  const { ctx, query, state, settings, setActionError } = props;
  const { trans } = ctx;
  const [now, setNow] = React.useState(Date.now());
  useInterval(
    () => {
      setNow(Date.now());
      void query.poll();
    },
    settings.refreshInterval,
    props.visible
  );

  const keys = React.useMemo(() => collectKeys(state.runs), [state.runs]);
  const { columns, chosen } = React.useMemo(
    () => columnsFor(settings, state.experimentIds, keys),
    [settings, state.experimentIds, keys]
  );
  // The choice is the shown experiments' own: other experiments keep theirs.
  const saveColumns = (next: string[] | null) =>
    void ctx.settings
      .save(
        'runColumnsByExperiment',
        withColumnChoice(
          settings.runColumnsByExperiment,
          state.experimentIds,
          next
        )
      )
      .catch(reason => setActionError(describeError(reason)));
  const error = props.actionError ?? state.error;

  return (
    <section className="mlops-RunsView-main">
      <RunsToolbar
        filter={state.filter}
        filterError={state.filterError}
        loading={state.loading}
        keys={keys}
        columns={columns}
        onFilter={filter => void query.search({ filter })}
        onColumns={saveColumns}
        onResetColumns={chosen ? () => saveColumns(null) : undefined}
        onRefresh={() => void query.reload()}
        trans={trans}
      />
      <RunsStatusBar
        api={ctx.api}
        query={query}
        state={state}
        selected={props.selected}
        setSelected={props.setSelected}
        setActionError={setActionError}
        refreshInterval={settings.refreshInterval}
        onCompare={runIds =>
          void ctx.commands.execute(PanelCommandIDs.compareRuns, { runIds })
        }
        trans={trans}
      />
      {error && (
        <ErrorBanner
          error={error}
          onRetry={() => {
            setActionError(null);
            void query.reload();
          }}
          trans={trans}
        />
      )}
      <RunsResults
        query={query}
        state={state}
        columns={columns}
        experimentNames={props.experimentNames}
        now={now}
        selected={props.selected}
        onSelect={props.setSelected}
        onOpenRun={runId =>
          void ctx.commands.execute(PanelCommandIDs.openRun, { runId })
        }
        onMoveColumn={(id, index) =>
          saveColumns(moveColumn(columns, id, index))
        }
        trans={trans}
      />
    </section>
  );
}
