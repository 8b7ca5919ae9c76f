import { Dialog, InputDialog, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import type { IExperiment } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { formatRelativeTime } from '../format';
import { describeError, IErrorState } from '../model';
import { forEachLimited } from './concurrency';
import type { IPanelContext } from './context';

/** Run counts and last activity are fetched for at most this many experiments. */
const STATS_LIMIT = 200;
const STATS_CONCURRENCY = 4;

interface IExperimentStats {
  runs: number;
  /** Start of the newest run, or the experiment's last update. */
  lastActivity: number;
}

export interface IExperimentsPaneProps {
  ctx: IPanelContext;
  selected: string[];
  onSelect: (experimentIds: string[]) => void;
  /** Changes whenever the runs were reloaded, so counts follow. */
  refreshKey: number;
}

/**
 * The experiments: run counts and last activity, click to show an
 * experiment's runs (Ctrl/Cmd-click for several, to compare across them),
 * create, rename, delete, and restore from the deleted list.
 */
export function ExperimentsPane(props: IExperimentsPaneProps): JSX.Element {
  const { ctx, selected } = props;
  const { api, trans } = ctx;
  const [showDeleted, setShowDeleted] = React.useState(false);
  const [experiments, setExperiments] = React.useState<IExperiment[] | null>(
    null
  );
  const [more, setMore] = React.useState(false);
  const [stats, setStats] = React.useState<Map<string, IExperimentStats>>(
    new Map()
  );
  const [error, setError] = React.useState<IErrorState | null>(null);
  const [reloads, setReloads] = React.useState(0);
  const reload = () => setReloads(n => n + 1);

  React.useEffect(() => {
    let cancelled = false;
    api
      .listExperiments({
        view: showDeleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY',
        maxResults: 1000
      })
      .then(page => {
        if (cancelled) {
          return;
        }
        setExperiments(page.items);
        setMore(page.nextPageToken !== null);
        setError(null);
        const fresh = new Map<string, IExperimentStats>();
        void forEachLimited(
          page.items.slice(0, STATS_LIMIT),
          STATS_CONCURRENCY,
          async experiment => {
            const ids = [experiment.experiment_id];
            const view = showDeleted ? 'ALL' : 'ACTIVE_ONLY';
            const [count, newest] = await Promise.all([
              api.countRuns({ experimentIds: ids, view }),
              api.searchRuns({ experimentIds: ids, maxResults: 1, view })
            ]);
            return {
              runs: count,
              lastActivity: Math.max(
                experiment.last_update_time,
                newest.items[0]?.info.end_time ?? 0,
                newest.items[0]?.info.start_time ?? 0
              )
            };
          },
          (experiment, result) => {
            if (!cancelled && result) {
              fresh.set(experiment.experiment_id, result);
              setStats(new Map(fresh));
            }
          }
        );
      })
      .catch(reason => {
        if (!cancelled) {
          setError(describeError(reason));
        }
      });
    return () => {
      cancelled = true;
    };
  }, [api, showDeleted, reloads, props.refreshKey]);

  const act = async (action: () => Promise<unknown>) => {
    try {
      await action();
      setError(null);
      reload();
    } catch (reason) {
      setError(describeError(reason));
    }
  };

  const create = async () => {
    const result = await InputDialog.getText({
      title: trans.__('New experiment'),
      label: trans.__('Name'),
      placeholder: trans.__('e.g. churn-model'),
      okLabel: trans.__('Create')
    });
    if (result.button.accept && result.value?.trim()) {
      await act(async () => {
        const experiment = await api.createExperiment(result.value!.trim());
        props.onSelect([experiment.experiment_id]);
      });
    }
  };

  const rename = async (experiment: IExperiment) => {
    const result = await InputDialog.getText({
      title: trans.__('Rename experiment'),
      label: trans.__('New name'),
      text: experiment.name,
      okLabel: trans.__('Rename')
    });
    if (
      result.button.accept &&
      result.value?.trim() &&
      result.value.trim() !== experiment.name
    ) {
      await act(() =>
        api.updateExperiment(experiment.experiment_id, {
          name: result.value!.trim()
        })
      );
    }
  };

  const remove = async (experiment: IExperiment) => {
    const answer = await showDialog({
      title: trans.__('Delete experiment'),
      body: trans.__(
        'Delete "%1" and its runs? They can be restored from the deleted experiments.',
        experiment.name
      ),
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: trans.__('Delete') })
      ]
    });
    if (answer.button.accept) {
      await act(async () => {
        await api.deleteExperiment(experiment.experiment_id);
        props.onSelect(selected.filter(id => id !== experiment.experiment_id));
      });
    }
  };

  const restore = (experiment: IExperiment) =>
    act(async () => {
      await api.restoreExperiment(experiment.experiment_id);
      setShowDeleted(false);
      props.onSelect([experiment.experiment_id]);
    });

  const choose = (
    id: string,
    event: React.MouseEvent | React.KeyboardEvent
  ) => {
    if (showDeleted) {
      return;
    }
    if (event.ctrlKey || event.metaKey) {
      props.onSelect(
        selected.includes(id)
          ? selected.filter(s => s !== id)
          : [...selected, id]
      );
    } else {
      props.onSelect([id]);
    }
  };

  const now = Date.now();
  return (
    <div className="mlops-ExperimentsPane">
      <header className="mlops-ExperimentsPane-header">
        <h2>
          {showDeleted
            ? trans.__('Deleted experiments')
            : trans.__('Experiments')}
        </h2>
        {!showDeleted && (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-accept mlops-ExperimentsPane-create"
            onClick={() => void create()}
          >
            {trans.__('New')}
          </button>
        )}
      </header>
      {error && <ErrorBanner error={error} onRetry={reload} trans={trans} />}
      {experiments === null ? (
        <div className="mlops-Placeholder">
          {trans.__('Loading experiments…')}
        </div>
      ) : experiments.length === 0 ? (
        <div className="mlops-Placeholder">
          {showDeleted
            ? trans.__('No deleted experiments.')
            : trans.__('No experiments yet.')}
        </div>
      ) : (
        <ul
          className="mlops-ExperimentsPane-list"
          role="listbox"
          aria-multiselectable
          aria-label={trans.__('Experiments')}
        >
          {experiments.map(experiment => {
            const id = experiment.experiment_id;
            const isSelected = !showDeleted && selected.includes(id);
            const stat = stats.get(id);
            return (
              <li
                key={id}
                role="option"
                aria-selected={isSelected}
                tabIndex={0}
                data-experiment-id={id}
                className={`mlops-ExperimentsPane-item${isSelected ? ' jp-mod-selected' : ''}`}
                title={experiment.description || experiment.name}
                onClick={event => choose(id, event)}
                onKeyDown={event => {
                  if (event.key === 'Enter' || event.key === ' ') {
                    event.preventDefault();
                    choose(id, event);
                  }
                }}
              >
                <div className="mlops-ExperimentsPane-name">
                  {experiment.name}
                </div>
                <div className="mlops-ExperimentsPane-meta">
                  <span className="mlops-ExperimentsPane-count">
                    {stat ? trans._n('%1 run', '%1 runs', stat.runs) : '…'}
                  </span>
                  {stat && (
                    <span
                      className="mlops-ExperimentsPane-activity"
                      title={new Date(stat.lastActivity).toLocaleString()}
                    >
                      {formatRelativeTime(stat.lastActivity, now)}
                    </span>
                  )}
                </div>
                <div className="mlops-ExperimentsPane-actions">
                  {showDeleted ? (
                    <button
                      type="button"
                      className="mlops-LinkButton"
                      onClick={event => {
                        event.stopPropagation();
                        void restore(experiment);
                      }}
                    >
                      {trans.__('Restore')}
                    </button>
                  ) : (
                    <>
                      <button
                        type="button"
                        className="mlops-LinkButton"
                        onClick={event => {
                          event.stopPropagation();
                          void rename(experiment);
                        }}
                      >
                        {trans.__('Rename')}
                      </button>
                      {id !== '0' && (
                        <button
                          type="button"
                          className="mlops-LinkButton mlops-mod-danger"
                          onClick={event => {
                            event.stopPropagation();
                            void remove(experiment);
                          }}
                        >
                          {trans.__('Delete')}
                        </button>
                      )}
                    </>
                  )}
                </div>
              </li>
            );
          })}
          {more && (
            <li className="mlops-Muted" aria-disabled>
              {trans.__('Newest %1 shown', experiments.length)}
            </li>
          )}
        </ul>
      )}
      <footer className="mlops-ExperimentsPane-footer">
        <label>
          <input
            type="checkbox"
            checked={showDeleted}
            onChange={event => setShowDeleted(event.target.checked)}
          />{' '}
          {trans.__('Show deleted')}
        </label>
      </footer>
    </div>
  );
}
