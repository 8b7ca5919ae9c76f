import * as React from 'react';

import { seriesColor } from '../charts/palette';
import { ErrorBanner } from '../components/error-banner';
import { LoadingOrError } from '../components/loading-or-error';
import { PanelCommandIDs } from './commands';
import { CompareHeader } from './compare-header';
import { runColors } from './compare-logic';
import { CompareMetricsSection } from './compare-metrics-section';
import { CompareValuesTable } from './compare-values-table';
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
 * Runs side by side, from one experiment or several: one legend for all
 * (a click hides a run everywhere), the last, min and max of every metric
 * with the best highlighted, overlaid metric charts (bars for metrics logged
 * once; optionally grouped by a param into mean and band), params with their
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

  // Runs hidden from every chart and table by a click in the shared legend.
  const [hidden, setHidden] = React.useState<Set<string>>(() => new Set());
  const shown = React.useMemo(
    () => (runs ?? []).filter(r => !hidden.has(r.info.run_id)),
    [runs, hidden]
  );
  // Colours follow a run's place among all compared runs, so hiding one
  // leaves the others' colours as they were.
  const colors = React.useMemo(
    () => runColors(runs ?? [], seriesColor),
    [runs]
  );

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

  const openRun = (runId: string) =>
    void ctx.commands.execute(PanelCommandIDs.openRun, { runId });
  return (
    <div className="mlops-CompareView">
      <CompareHeader
        runs={runs}
        colors={colors}
        hidden={hidden}
        onHiddenChange={setHidden}
        trans={trans}
      />
      {error && (
        <ErrorBanner error={error} onRetry={() => void load()} trans={trans} />
      )}
      <section className="mlops-CompareView-section mlops-CompareView-values">
        <h2>{trans.__('Values')}</h2>
        <CompareValuesTable
          runs={shown}
          metricKeys={metricKeys}
          colors={colors}
          onOpenRun={openRun}
          trans={trans}
        />
      </section>
      <CompareMetricsSection
        runs={shown}
        colors={colors}
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
        <ParamsDiff runs={shown} colors={colors} trans={trans} />
      </section>
      {dimensions.length >= 2 && (
        <ParallelSection
          runs={shown}
          colors={colors}
          dimensions={dimensions}
          onOpenRun={openRun}
          trans={trans}
        />
      )}
      {valueColumns.length >= 1 && (
        <ScatterSection
          runs={shown}
          colors={colors}
          columns={valueColumns}
          onOpenRun={openRun}
          trans={trans}
        />
      )}
    </div>
  );
}
