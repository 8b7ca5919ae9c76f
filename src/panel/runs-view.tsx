import { Dialog, InputDialog, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import { ErrorBanner } from '../components/error-banner';
import { describeError, IErrorState } from '../model';
import { collectKeys, moveColumn, orderByFor, resolveColumns } from './columns';
import { ColumnPicker } from './column-picker';
import { PanelCommandIDs } from './commands';
import { forEachLimited } from './concurrency';
import type { IPanelContext } from './context';
import { ExperimentsPane } from './experiments-pane';
import { FilterBox } from './filter-box';
import { ISortState, RunsTable } from './runs-table';
import { RunsQuery } from './runs-query';
import { useInterval, useSignalState } from './use-signal-state';

export interface IRunsViewProps {
  ctx: IPanelContext;
  /** The experiments to show first; else the default experiment setting. */
  experimentIds?: string[];
  /** Whether the view is on screen (it only polls then). */
  visible: boolean;
}

/**
 * Experiments on the left, their runs on the right: a filter box, the column
 * picker, the runs table, and actions on the selected runs.
 */
export function RunsView(props: IRunsViewProps): JSX.Element {
  const { ctx, visible } = props;
  const { api, trans } = ctx;
  const query = React.useMemo(() => new RunsQuery(api), [api]);
  const state = useSignalState(query.changed, () => query.state);
  const settings = useSignalState(
    ctx.settings.changed,
    () => ctx.settings.current
  );
  const [experimentIds, setExperimentIds] = React.useState<string[] | null>(
    props.experimentIds ?? null
  );
  const [experimentNames, setExperimentNames] = React.useState<
    Map<string, string>
  >(new Map());
  const [sort, setSort] = React.useState<ISortState | null>(null);
  const [selected, setSelected] = React.useState<Set<string>>(new Set());
  const [actionError, setActionError] = React.useState<IErrorState | null>(
    null
  );
  const [now, setNow] = React.useState(Date.now());

  // Which experiments to show at first.
  React.useEffect(() => {
    if (experimentIds !== null) {
      return;
    }
    const wanted = settings.defaultExperiment;
    const find = wanted
      ? api
          .getExperimentByName(wanted)
          .then(e => e ?? api.getExperiment(wanted).catch(() => null))
      : Promise.resolve(null);
    find
      .then(async found => {
        if (found) {
          return found.experiment_id;
        }
        const page = await api.listExperiments({ maxResults: 1 });
        return page.items[0]?.experiment_id ?? '0';
      })
      .then(id => setExperimentIds([id]))
      .catch(reason => setActionError(describeError(reason)));
  }, [experimentIds]);

  // Experiment names, for the experiment column across experiments.
  React.useEffect(() => {
    api
      .listExperiments({ view: 'ALL', maxResults: 1000 })
      .then(page =>
        setExperimentNames(
          new Map(page.items.map(e => [e.experiment_id, e.name]))
        )
      )
      .catch(() => undefined);
  }, [api, experimentIds]);

  React.useEffect(() => {
    if (experimentIds !== null) {
      setSelected(new Set());
      void query.search({ experimentIds });
    }
  }, [experimentIds]);

  useInterval(
    () => {
      setNow(Date.now());
      void query.poll();
    },
    settings.refreshInterval,
    visible
  );

  const keys = React.useMemo(() => collectKeys(state.runs), [state.runs]);
  const columns = React.useMemo(
    () => resolveColumns(settings.visibleRunColumns, keys.metrics),
    [settings.visibleRunColumns, keys.metrics]
  );
  const saveColumns = (next: string[]) =>
    void ctx.settings
      .save('visibleRunColumns', next)
      .catch(reason => setActionError(describeError(reason)));

  const selectedIds = [...selected];
  const openRun = (runId: string) =>
    void ctx.commands.execute(PanelCommandIDs.openRun, { runId });

  const tagSelected = async () => {
    const result = await InputDialog.getText({
      title: trans.__('Tag %1 runs', selectedIds.length),
      label: trans.__('Tag as key=value'),
      placeholder: 'candidate=true',
      okLabel: trans.__('Tag')
    });
    const text = result.value?.trim() ?? '';
    if (!result.button.accept || !text) {
      return;
    }
    const at = text.indexOf('=');
    const key = (at < 0 ? text : text.slice(0, at)).trim();
    const value = at < 0 ? '' : text.slice(at + 1).trim();
    const failures: string[] = [];
    await forEachLimited(
      selectedIds,
      4,
      id => api.setRunTags(id, { [key]: value }),
      (id, _result, error) => {
        if (error) {
          failures.push(describeError(error).message);
        }
      }
    );
    setActionError(
      failures.length
        ? { message: failures[0], code: trans.__('%1 failed', failures.length) }
        : null
    );
    await query.reload();
  };

  const deleteSelected = async () => {
    const answer = await showDialog({
      title: trans.__('Delete runs'),
      body: trans.__(
        'Delete %1 runs? They can be restored until garbage collection.',
        selectedIds.length
      ),
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: trans.__('Delete') })
      ]
    });
    if (!answer.button.accept) {
      return;
    }
    const deleted: string[] = [];
    const failures: string[] = [];
    await forEachLimited(
      selectedIds,
      4,
      id => api.deleteRun(id),
      (id, _result, error) => {
        if (error) {
          failures.push(describeError(error).message);
        } else {
          deleted.push(id);
        }
      }
    );
    query.removeRuns(deleted);
    setSelected(new Set(selectedIds.filter(id => !deleted.includes(id))));
    setActionError(
      failures.length
        ? { message: failures[0], code: trans.__('%1 failed', failures.length) }
        : null
    );
  };

  const running = state.runs.some(
    r => r.info.status === 'RUNNING' || r.info.status === 'SCHEDULED'
  );

  return (
    <div className="mlops-RunsView">
      <ExperimentsPane
        ctx={ctx}
        selected={experimentIds ?? []}
        onSelect={ids => ids.length > 0 && setExperimentIds(ids)}
        refreshKey={state.total ?? 0}
      />
      <section className="mlops-RunsView-main">
        <div className="mlops-RunsView-toolbar">
          <FilterBox
            value={state.filter}
            error={state.filterError}
            keys={keys}
            onApply={filter => void query.search({ filter })}
            trans={trans}
          />
          <ColumnPicker
            columns={columns}
            keys={keys}
            onChange={saveColumns}
            trans={trans}
          />
          <button
            type="button"
            className="jp-Button jp-mod-styled mlops-RunsView-refresh"
            onClick={() => void query.reload()}
            disabled={state.loading}
          >
            {trans.__('Refresh')}
          </button>
        </div>
        <div className="mlops-RunsView-status">
          <span className="mlops-RunsView-count" data-total={state.total ?? ''}>
            {state.total === null
              ? state.loading
                ? trans.__('Loading runs…')
                : ''
              : trans.__(
                  '%1 of %2 runs loaded',
                  state.runs.length,
                  state.total
                )}
          </span>
          {running && settings.refreshInterval > 0 && (
            <span
              className="mlops-RunsView-live"
              title={trans.__(
                'Running runs update every %1 s',
                settings.refreshInterval
              )}
            >
              ● {trans.__('live')}
            </span>
          )}
          {selectedIds.length > 0 && (
            <span className="mlops-RunsView-actions">
              <span>{trans.__('%1 selected', selectedIds.length)}</span>
              <button
                type="button"
                className="jp-Button jp-mod-styled jp-mod-accept mlops-RunsView-compare"
                disabled={selectedIds.length < 2}
                onClick={() =>
                  void ctx.commands.execute(PanelCommandIDs.compareRuns, {
                    runIds: selectedIds
                  })
                }
              >
                {trans.__('Compare')}
              </button>
              <button
                type="button"
                className="jp-Button jp-mod-styled mlops-RunsView-tag"
                onClick={() => void tagSelected()}
              >
                {trans.__('Tag')}
              </button>
              <button
                type="button"
                className="jp-Button jp-mod-styled jp-mod-warn mlops-RunsView-delete"
                onClick={() => void deleteSelected()}
              >
                {trans.__('Delete')}
              </button>
            </span>
          )}
        </div>
        {(state.error || actionError) && (
          <ErrorBanner
            error={(actionError ?? state.error)!}
            onRetry={() => {
              setActionError(null);
              void query.reload();
            }}
            trans={trans}
          />
        )}
        {state.runs.length === 0 && !state.loading && !state.filterError ? (
          <div className="mlops-Placeholder mlops-RunsView-empty">
            {state.filter
              ? trans.__('No runs match the filter.')
              : trans.__('No runs in this experiment yet.')}
          </div>
        ) : (
          <RunsTable
            runs={state.runs}
            columns={columns}
            experimentNames={experimentNames}
            now={now}
            sort={sort}
            onSort={next => {
              setSort(next);
              void query.search({
                orderBy: next ? orderByFor(next.column, next.descending) : null
              });
            }}
            selected={selected}
            onSelect={setSelected}
            onOpenRun={openRun}
            onMoveColumn={(id, index) =>
              saveColumns(moveColumn(columns, id, index))
            }
            onNearEnd={() => void query.loadMore()}
            trans={trans}
          />
        )}
      </section>
    </div>
  );
}
