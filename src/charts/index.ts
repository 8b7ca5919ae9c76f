/**
 * Shared chart components: metric line charts (uPlot) and parallel
 * coordinates and scatter plots (echarts), used by the panel, the compare view
 * and the notebook widgets.
 */
export * from './types';
export { MetricChart } from './metric-chart';
export { ParallelCoordinates } from './parallel-coordinates';
export { ScatterChart } from './scatter-chart';
export { emaSmooth } from './smoothing';
export {
  alignColumns,
  buildChartModel,
  hasDrawableValues,
  prepareSeries
} from './series';
export type { IChartModel, IPlotSeries } from './series';
export { aggregateSeries } from './aggregate';
export type { BandKind } from './aggregate';
export { seriesFromHistory } from './history';
export { SERIES_COLORS, seriesColor, withAlpha } from './palette';
export { useElementWidth, useInView } from './use-element-width';
export { useThemeColors } from './use-theme-colors';
export type { IThemeColors } from './use-theme-colors';
export { fittedRange } from './axis-range';
export { barFractions, singleValues } from './single-value';
export type { ISingleValue } from './single-value';
export { SingleValueCard } from './single-value-card';
