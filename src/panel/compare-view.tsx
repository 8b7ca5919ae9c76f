import * as React from 'react';

import { seriesColor } from '../charts/palette';
import { ErrorBanner } from '../components/error-banner';
import { LoadingOrError } from '../components/loading-or-error';
import { PanelCommandIDs } from './commands';
import { CompareHeader } from './compare-header';
import { CompareMetricsSection } from './compare-metrics-section';
import type { IPanelContext } from './context';
import { HistoryCache } from './history-cache';
import { ParallelSection } from './parallel-section';
import { ParamsDiff } from './params-diff';
import { ScatterSection } from './scatter-section';
import { useChartOptions } from './use-chart-options';
import { useCompareColumns } from './use-compare-columns';
import { useComparedRuns } from './use-compared-runs';
import { useSignalState } from './use-signal-state';

export interface ICompareViewProps {
  ctx: IPanelContext;
  runIds: string[];
  visible: boolean;
}

/**
 * Runs side by side, from one experiment or several: overlaid metric charts
 * (optionally grouped by a param into mean and band), params with their
 * differences, parallel coordinates, and a scatter of any two values.
 */
export function CompareView(props: ICompareViewProps): JSX.Element {
  const { ctx } = props;
  const { api, trans } = ctx;
  const settings = useSignalState(
    ctx.settings.changed,
    () => ctx.settings.current
  );
  const cache = React.useMemo(() => new HistoryCache(api), [api]);
  const { runs, error, load, version } = useComparedRuns(
    api,
    props.runIds,
    cache,
    settings.refreshInterval,
    props.visible
  );
  const [chartOptions, setChartOptions] = useChartOptions(settings);

  const { metricKeys, paramKeys, valueColumns, dimensions } =
    useCompareColumns(runs);

  if (runs === null) {
    return (
      <LoadingOrError
        className="mlops-CompareView"
        error={error}
        onRetry={() => void load()}
        loadingText={trans.__('Loading runs…')}
        trans={trans}
      />
    );
  }

  const colors = runs.map((_, i) => seriesColor(i));
  const openRun = (runId: string) =>
    void ctx.commands.execute(PanelCommandIDs.openRun, { runId });
  return (
    <div className="mlops-CompareView">
      <CompareHeader
        runs={runs}
        colors={colors}
        onOpenRun={openRun}
        trans={trans}
      />
      {error && (
        <ErrorBanner error={error} onRetry={() => void load()} trans={trans} />
      )}
      <CompareMetricsSection
        runs={runs}
        metricKeys={metricKeys}
        paramKeys={paramKeys}
        options={chartOptions}
        onOptions={setChartOptions}
        cache={cache}
        version={version}
        trans={trans}
      />
      <section className="mlops-CompareView-section mlops-CompareView-params">
        <h2>{trans.__('Params')}</h2>
        <ParamsDiff runs={runs} colors={colors} trans={trans} />
      </section>
      {dimensions.length >= 2 && (
        <ParallelSection
          runs={runs}
          dimensions={dimensions}
          onOpenRun={openRun}
          trans={trans}
        />
      )}
      {valueColumns.length >= 1 && (
        <ScatterSection
          runs={runs}
          columns={valueColumns}
          onOpenRun={openRun}
          trans={trans}
        />
      )}
    </div>
  );
}
