import * as React from 'react';

import type { IErrorState } from '../model';
import type { IPanelContext } from './context';
import { ExperimentsPane } from './experiments-pane';
import { RunsQuery } from './runs-query';
import { RunsPanel } from './runs-panel';
import { useExperimentNames } from './use-experiment-names';
import { useShownCount } from './use-shown-count';
import { useShownExperiments } from './use-shown-experiments';
import { useSignalState } from './use-signal-state';

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
  const { api } = ctx;
  const query = React.useMemo(() => new RunsQuery(api), [api]);
  const state = useSignalState(query.changed, () => query.state);
  const settings = useSignalState(
    ctx.settings.changed,
    () => ctx.settings.current
  );
  const [selected, setSelected] = React.useState<Set<string>>(new Set());
  const [actionError, setActionError] = React.useState<IErrorState | null>(
    null
  );
  const [experimentIds, setExperimentIds] = useShownExperiments(
    api,
    props.experimentIds,
    settings.defaultExperiment,
    setActionError
  );
  const experimentNames = useExperimentNames(api, experimentIds);
  // Experiments created while the tab was hidden appear when it is shown again.
  const shown = useShownCount(visible);

  React.useEffect(() => {
    if (experimentIds !== null) {
      setSelected(new Set());
      void query.search({ experimentIds });
    }
  }, [experimentIds]);

  return (
    <div className="mlops-RunsView">
      <ExperimentsPane
        ctx={ctx}
        selected={experimentIds ?? []}
        onSelect={ids => ids.length > 0 && setExperimentIds(ids)}
        refreshKey={`${state.total ?? 0}:${shown}`}
      />
      <RunsPanel
        ctx={ctx}
        query={query}
        state={state}
        settings={settings}
        experimentNames={experimentNames}
        selected={selected}
        setSelected={setSelected}
        actionError={actionError}
        setActionError={setActionError}
        visible={visible}
      />
    </div>
  );
}
