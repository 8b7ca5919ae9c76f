import * as React from 'react';

import { LoadingOrError } from '../components/loading-or-error';
import type { IPanelContext } from './context';
import { HistoryCache } from './history-cache';
import { RunDetails } from './run-details';
import { useChartOptions } from './use-chart-options';
import { useRun } from './use-run';
import { useRunRefresh } from './use-run-refresh';
import { useSignalState } from './use-signal-state';

export interface IRunViewProps {
  ctx: IPanelContext;
  runId: string;
  visible: boolean;
  /** Told the run's name once it is known (for the tab's title). */
  onName?: (name: string) => void;
}

/**
 * One run: overview (with params, tags and notes), metric charts, console
 * logs (followed live while it runs), and artifacts with previews and model
 * registration. A running run refreshes.
 */
export function RunView(props: IRunViewProps): JSX.Element {
  const { ctx, runId, visible } = props;
  const { api, trans } = ctx;
  const settings = useSignalState(
    ctx.settings.changed,
    () => ctx.settings.current
  );
  const cache = React.useMemo(() => new HistoryCache(api), [api]);
  const state = useRun(api, runId, cache, props.onName);
  const [chartOptions, setChartOptions] = useChartOptions(settings);
  const refresh = useRunRefresh(
    runId,
    state.run,
    state.load,
    cache,
    settings.refreshInterval,
    visible
  );

  if (state.run === null) {
    return (
      <LoadingOrError
        className="mlops-RunView"
        error={state.error}
        onRetry={() => void state.load()}
        loadingText={trans.__('Loading run…')}
        trans={trans}
      />
    );
  }
  return (
    <RunDetails
      ctx={ctx}
      runId={runId}
      run={state.run}
      state={state}
      refresh={refresh}
      cache={cache}
      chartOptions={chartOptions}
      onChartOptions={setChartOptions}
      visible={visible}
    />
  );
}
