import * as React from 'react';

import type { IRun } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { ArtifactBrowser } from './artifact-browser';
import type { IChartOptions } from './chart-controls';
import { PanelCommandIDs } from './commands';
import type { IPanelContext } from './context';
import type { HistoryCache } from './history-cache';
import { RegisteredNotice } from './registered-notice';
import { RunLogsTab } from './run-logs-tab';
import { RunMetricsTab } from './run-metrics-tab';
import { RunOverviewTab } from './run-overview-tab';
import { RunViewHeader, RunViewTab } from './run-view-header';
import { useModelRegistration } from './use-model-registration';
import type { IRunState } from './use-run';
import type { IRunRefresh } from './use-run-refresh';
import { useRunRegistrations } from './use-run-registrations';

export interface IRunDetailsProps {
  ctx: IPanelContext;
  runId: string;
  run: IRun;
  state: IRunState;
  refresh: IRunRefresh;
  cache: HistoryCache;
  chartOptions: IChartOptions;
  onChartOptions: (options: IChartOptions) => void;
  /** Whether the run's tab is on screen (the Logs tab reads only then). */
  visible?: boolean;
}

/** A loaded run in its tabs: overview, metrics, logs and artifacts. */
export function RunDetails(props: IRunDetailsProps): JSX.Element {
  const { ctx, runId, run, state } = props;
  const { error, load } = state;
  const { api, trans } = ctx;
  const [tab, setTab] = React.useState<RunViewTab>('overview');
  const registrations = useRunRegistrations(ctx.registry, run);
  const { notice, register } = useModelRegistration(
    ctx.registry,
    runId,
    trans,
    state.setError
  );
  const metricKeys = Object.keys(run.metrics).sort();
  return (
    <div className="mlops-RunView" data-run-id={runId}>
      <RunViewHeader
        title={run.info.run_name || runId}
        status={run.info.status}
        tab={tab}
        metricCount={metricKeys.length}
        onTab={setTab}
        trans={trans}
      />
      {error && (
        <ErrorBanner error={error} onRetry={() => void load()} trans={trans} />
      )}
      {notice && (
        <RegisteredNotice
          notice={notice}
          onOpenRegistry={() =>
            void ctx.commands.execute(PanelCommandIDs.openRegistry, {})
          }
          trans={trans}
        />
      )}
      <div className="mlops-RunView-body">
        {tab === 'overview' && (
          <RunOverviewTab
            ctx={ctx}
            runId={runId}
            run={run}
            experimentName={state.experimentName}
            now={props.refresh.now}
            registrations={registrations}
            write={state.write}
          />
        )}
        {tab === 'metrics' && (
          <RunMetricsTab
            run={run}
            metricKeys={metricKeys}
            options={props.chartOptions}
            onOptions={props.onChartOptions}
            cache={props.cache}
            version={props.refresh.version}
            trans={trans}
          />
        )}
        {tab === 'logs' && (
          <RunLogsTab
            api={api}
            run={run}
            visible={props.visible ?? true}
            trans={trans}
          />
        )}
        {tab === 'artifacts' && (
          <ArtifactBrowser
            api={api}
            runId={runId}
            rendermime={ctx.rendermime}
            onRegister={path => void register(path)}
            trans={trans}
          />
        )}
      </div>
    </div>
  );
}
