import type { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';

import { formatRelativeTime } from '../format';
import type { SidebarModel } from '../model';
import { ErrorBanner } from './error-banner';
import { ExperimentList } from './experiment-list';
import { RunList } from './run-list';

export interface ISidebarViewProps {
  model: SidebarModel;
  trans: TranslationBundle;
  /** Open a run in the main area (the panel's run view). */
  onOpenRun?: (runId: string) => void;
  /** Open the runs table, on an experiment if given. */
  onOpenRuns?: (experimentId: string | null) => void;
}

/**
 * The MLOps sidebar: experiments on top, the selected experiment's recent
 * runs below, and any error in between where it cannot be missed.
 */
export function SidebarView(props: ISidebarViewProps): JSX.Element {
  const { model, trans } = props;
  const state = model.state;
  const now = state.updatedAt ?? Date.now();
  const selected = state.experiments?.find(
    e => e.experiment_id === state.selectedExperimentId
  );
  const refresh = () => void model.refresh();
  return (
    <div className="mlops-SidebarView">
      <header className="mlops-SidebarView-header">
        <h2 className="mlops-SidebarView-title">{trans.__('Experiments')}</h2>
        {props.onOpenRuns && (
          <button
            type="button"
            className="jp-Button jp-mod-styled mlops-SidebarView-openRuns"
            title={trans.__('Open the runs table in the main area')}
            onClick={() =>
              props.onOpenRuns!(state.selectedExperimentId ?? null)
            }
          >
            {trans.__('Open runs')}
          </button>
        )}
        <ToolbarButtonComponent
          icon={refreshIcon}
          onClick={refresh}
          tooltip={trans.__('Refresh experiments and runs')}
          enabled={!state.loading}
          className="mlops-SidebarView-refresh"
        />
      </header>
      {state.error && (
        <ErrorBanner error={state.error} onRetry={refresh} trans={trans} />
      )}
      <section className="mlops-SidebarView-experiments">
        {state.experiments === null ? (
          <div className="mlops-Placeholder">
            {state.error ? '' : trans.__('Loading experiments…')}
          </div>
        ) : (
          <ExperimentList
            experiments={state.experiments}
            runCounts={state.runCounts}
            selectedId={state.selectedExperimentId}
            more={state.moreExperiments}
            onSelect={id => void model.select(id)}
            trans={trans}
          />
        )}
      </section>
      {selected && (
        <section className="mlops-SidebarView-runs">
          <h3 className="mlops-SidebarView-subtitle">
            {trans.__('Recent runs')}
            <span className="mlops-SidebarView-subtitleName">
              {selected.name}
            </span>
          </h3>
          <RunList
            runs={state.runs}
            columns={
              // The columns chosen for this experiment in the runs table.
              model.settings.runColumnsByExperiment[selected.experiment_id] ??
              model.settings.visibleRunColumns
            }
            now={now}
            onOpenRun={props.onOpenRun}
            trans={trans}
          />
        </section>
      )}
      {state.updatedAt !== null && (
        <footer className="mlops-SidebarView-footer">
          {trans.__(
            'Updated %1',
            formatRelativeTime(state.updatedAt, Date.now())
          )}
        </footer>
      )}
    </div>
  );
}
