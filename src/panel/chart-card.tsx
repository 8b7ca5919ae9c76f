import * as React from 'react';

import { MetricChart } from '../charts/metric-chart';
import { singleValues } from '../charts/single-value';
import { SingleValueCard } from '../charts/single-value-card';
import { useElementWidth, useInView } from '../charts/use-element-width';
import type { IMetricGridProps } from './metric-grid';
import { useChartSeries } from './use-chart-series';

export interface IChartCardProps extends IMetricGridProps {
  chartKeys: string[];
  title: string;
}

/**
 * Charts with more lines than this leave their legend out: the compare view's
 * shared legend names the runs, and a hundred rows under each chart would
 * push the charts apart.
 */
export const CHART_LEGEND_MAX = 10;

/** One chart: waits until it is in view, then fetches at its own width. */
export function ChartCard(props: IChartCardProps): JSX.Element {
  const { runs, chartKeys, options, cache, version, title, trans } = props;
  const ref = React.useRef<HTMLDivElement>(null);
  const inView = useInView(ref);
  const width = useElementWidth(ref);

  const { series, error } = useChartSeries(
    runs,
    chartKeys,
    options,
    cache,
    version,
    inView,
    width,
    props.colors
  );

  // A metric logged once per run reads better as a number (or bars) than as
  // a lone point on a line chart.
  const single = React.useMemo(
    () => (series ? singleValues(series) : null),
    [series]
  );

  return (
    <div
      ref={ref}
      className="mlops-ChartCard"
      data-metric={chartKeys.length === 1 ? chartKeys[0] : undefined}
    >
      {error ? (
        <div className="mlops-ChartCard-error" role="alert">
          <strong>{title}</strong>: {error}
        </div>
      ) : series === null ? (
        <div className="mlops-ChartCard-loading">
          <strong>{title}</strong>
          <span>{inView ? trans.__('Loading…') : ''}</span>
        </div>
      ) : single ? (
        <SingleValueCard title={title} values={single} />
      ) : (
        <MetricChart
          series={series}
          xAxis={options.xAxis}
          logScale={options.logScale}
          smoothing={options.smoothing}
          title={title}
          legend={series.length <= CHART_LEGEND_MAX}
          syncKey="mlops-metrics"
        />
      )}
    </div>
  );
}
