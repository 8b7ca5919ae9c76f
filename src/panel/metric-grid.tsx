import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { aggregateSeries } from '../charts/aggregate';
import { seriesFromHistory } from '../charts/history';
import { MetricChart } from '../charts/metric-chart';
import { seriesColor } from '../charts/palette';
import type { IChartSeries } from '../charts/types';
import { useElementWidth, useInView } from '../charts/use-element-width';
import { describeError } from '../model';
import type { IChartOptions } from './chart-controls';
import { groupRuns, runLabel } from './compare-logic';
import { HistoryCache, pointsForWidth } from './history-cache';

export interface IMetricGridProps {
  runs: IRun[];
  keys: string[];
  options: IChartOptions;
  cache: HistoryCache;
  /** Bumped by the owner to redraw charts of running runs with new data. */
  version: number;
  trans: TranslationBundle;
}

/**
 * Metric charts for one or more runs: a grid with one chart per key (only
 * charts in view fetch and draw, so hundreds of keys stay responsive), or
 * one combined chart. Histories come downsampled to each chart's width.
 */
export function MetricGrid(props: IMetricGridProps): JSX.Element {
  const { keys, options, trans } = props;
  if (keys.length === 0) {
    return (
      <div className="mlops-Placeholder">{trans.__('No metrics logged.')}</div>
    );
  }
  if (options.layout === 'combined') {
    return (
      <div className="mlops-MetricGrid mlops-mod-combined">
        <ChartCard
          {...props}
          chartKeys={keys}
          title={trans.__('All metrics')}
        />
      </div>
    );
  }
  return (
    <div className="mlops-MetricGrid">
      {keys.map(key => (
        <ChartCard key={key} {...props} chartKeys={[key]} title={key} />
      ))}
    </div>
  );
}

interface IChartCardProps extends IMetricGridProps {
  chartKeys: string[];
  title: string;
}

/** One chart: waits until it is in view, then fetches at its own width. */
function ChartCard(props: IChartCardProps): JSX.Element {
  const { runs, chartKeys, options, cache, version, title, trans } = props;
  const ref = React.useRef<HTMLDivElement>(null);
  const inView = useInView(ref);
  const width = useElementWidth(ref);
  const [series, setSeries] = React.useState<IChartSeries[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const maxPoints = pointsForWidth(width);
  const runKey = runs.map(r => r.info.run_id).join(',');

  React.useEffect(() => {
    if (!inView || width <= 0) {
      return;
    }
    let cancelled = false;
    const wanted: { run: IRun; key: string }[] = [];
    for (const run of runs) {
      for (const key of chartKeys) {
        if (key in run.metrics) {
          wanted.push({ run, key });
        }
      }
    }
    Promise.all(
      wanted.map(({ run, key }) =>
        cache.get(run.info.run_id, key, maxPoints).then(history => ({
          run,
          key,
          history
        }))
      )
    )
      .then(histories => {
        if (cancelled) {
          return;
        }
        setSeries(buildSeries(histories, runs, chartKeys, options));
        setError(null);
      })
      .catch(reason => {
        if (!cancelled) {
          setError(describeError(reason).message);
        }
      });
    return () => {
      cancelled = true;
    };
  }, [
    inView,
    maxPoints,
    runKey,
    chartKeys.join('\u0000'),
    options.xAxis,
    options.groupBy,
    options.band,
    version
  ]);

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
      ) : (
        <MetricChart
          series={series}
          xAxis={options.xAxis}
          logScale={options.logScale}
          smoothing={options.smoothing}
          title={title}
          syncKey="mlops-metrics"
        />
      )}
    </div>
  );
}

/**
 * Series for one chart: a line per run and key (labelled by run when the
 * chart has one key, by key when it has one run), or with grouping one line
 * per group with its band.
 */
function buildSeries(
  histories: { run: IRun; key: string; history: { points: any[] } }[],
  runs: IRun[],
  keys: string[],
  options: IChartOptions
): IChartSeries[] {
  const label = (run: IRun, key: string) =>
    keys.length === 1
      ? runLabel(run)
      : runs.length === 1
        ? key
        : `${runLabel(run)} · ${key}`;
  const byRun = new Map<string, IChartSeries[]>();
  histories.forEach(({ run, key, history }) => {
    const index = runs.indexOf(run) * keys.length + keys.indexOf(key);
    const series = seriesFromHistory(
      label(run, key),
      history.points,
      options.xAxis,
      seriesColor(index)
    );
    const list = byRun.get(run.info.run_id) ?? [];
    list.push({ ...series, label: series.label });
    byRun.set(run.info.run_id, list);
  });
  if (!options.groupBy) {
    return histories.map(({ run, key }) =>
      byRun.get(run.info.run_id)!.find(s => s.label === label(run, key))!
    );
  }
  const out: IChartSeries[] = [];
  groupRuns(runs, options.groupBy).forEach((group, groupIndex) => {
    keys.forEach((key, keyIndex) => {
      const members = group.runs
        .map(run =>
          byRun.get(run.info.run_id)?.find(s => s.label === label(run, key))
        )
        .filter((s): s is IChartSeries => s !== undefined)
        // A group line is the spread of values, not of downsampling buckets.
        .map(({ min, max, ...rest }) => rest);
      if (members.length === 0) {
        return;
      }
      const name = `${options.groupBy}=${group.value} (${members.length})`;
      out.push(
        aggregateSeries(
          members,
          keys.length === 1 ? name : `${name} · ${key}`,
          options.xAxis,
          options.band,
          seriesColor(groupIndex * keys.length + keyIndex)
        )
      );
    });
  });
  return out;
}
