import * as React from 'react';

import { ErrorBanner } from '../components/error-banner';
import { describeError } from '../model';
import type { IPanelContext } from './context';
import { ExperimentsPaneList } from './experiments-pane-list';
import { experimentCommands } from './experiment-commands';
import { useExperiments } from './use-experiments';

export interface IExperimentsPaneProps {
  ctx: IPanelContext;
  selected: string[];
  onSelect: (experimentIds: string[]) => void;
  /** Changes whenever the runs were reloaded, so counts follow. */
  refreshKey: string;
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
  const { experiments, more, stats, error, setError, reload } = useExperiments(
    api,
    showDeleted,
    props.refreshKey
  );
  const act = async (action: () => Promise<unknown>) => {
    try {
      await action();
      setError(null);
      reload();
    } catch (reason) {
      setError(describeError(reason));
    }
  };
  const actions = experimentCommands({
    api,
    trans,
    act,
    selected,
    onSelect: props.onSelect,
    setShowDeleted
  });

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
            onClick={() => void actions.create()}
          >
            {trans.__('New')}
          </button>
        )}
      </header>
      {error && <ErrorBanner error={error} onRetry={reload} trans={trans} />}
      <ExperimentsPaneList
        experiments={experiments}
        more={more}
        stats={stats}
        selected={selected}
        onSelect={props.onSelect}
        deleted={showDeleted}
        actions={actions}
        trans={trans}
      />
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
