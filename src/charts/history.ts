import type { IMetricPoint } from '../api';
import type { IChartSeries, XAxisKind } from './types';

/**
 * A chart series from a metric history as the server sends it. Steps become x
 * for the `step` axis, timestamps (ms) for `time` and `relative`. Downsampled
 * histories carry each bucket's min and max, which become the series' band.
 */
export function seriesFromHistory(
  label: string,
  points: readonly IMetricPoint[],
  xAxis: XAxisKind,
  color?: string
): IChartSeries {
  const series: IChartSeries = {
    label,
    x: points.map(p => (xAxis === 'step' ? p.step : p.timestamp)),
    y: points.map(p => p.value)
  };
  if (points.some(p => p.min !== undefined && p.max !== undefined)) {
    series.min = points.map(p => p.min ?? p.value);
    series.max = points.map(p => p.max ?? p.value);
  }
  if (color) {
    series.color = color;
  }
  return series;
}
