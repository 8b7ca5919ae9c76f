import * as React from 'react';

import type { IMetricHistory, IRun } from '../api';
import type { IChartSeries } from '../charts/types';
import { describeError } from '../model';
import { buildSeries } from './build-chart-series';
import type { IChartOptions } from './chart-controls';
import { HistoryCache, pointsForWidth } from './history-cache';

/**
 * The series of one chart: the histories of `chartKeys` of every run that
 * logged them, fetched once the chart is in view at the resolution of its
 * `width`, again when the options that shape them or `version` change.
 */
export function useChartSeries(
  runs: IRun[],
  chartKeys: string[],
  options: IChartOptions,
  cache: HistoryCache,
  version: number,
  inView: boolean,
  width: number,
  colors?: ReadonlyMap<string, string>
): { series: IChartSeries[] | null; error: string | null } {
  const [series, setSeries] = React.useState<IChartSeries[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const maxPoints = pointsForWidth(width);
  const runKey = runs.map(r => r.info.run_id).join(',');

  React.useEffect(() => {
    if (!inView || width <= 0) {
      return;
    }
    let cancelled = false;
    // Per key, the runs that logged it, fetched together (one request for
    // up to 100 runs); then in the order of runs and keys, as before.
    const requests = new Map<string, Promise<IMetricHistory>>();
    for (const key of chartKeys) {
      const logged = runs.filter(run => key in run.metrics);
      const histories = cache.getMany(
        logged.map(run => run.info.run_id),
        key,
        maxPoints
      );
      logged.forEach((run, i) =>
        requests.set(`${run.info.run_id}\u0000${key}`, histories[i])
      );
    }
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
        requests.get(`${run.info.run_id}\u0000${key}`)!.then(history => ({
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
        setSeries(buildSeries(histories, runs, chartKeys, options, colors));
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
    version,
    colors
  ]);
  return { series, error };
}
