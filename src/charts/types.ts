/**
 * Types shared by the chart components (panel, compare view, notebook widgets).
 */

/** What the x values of a metric chart mean. */
export type XAxisKind = 'step' | 'time' | 'relative';

/**
 * One line of a metric chart.
 *
 * `x` holds steps when the chart's axis is `step`, and wall-clock timestamps in
 * milliseconds since the epoch for `time` and `relative` (the chart subtracts
 * each series' first timestamp itself for `relative`). `y` may hold `null` or
 * NaN for missing values; `min`/`max`, when given, draw a band around the line
 * (a downsampled bucket's extremes, or the spread of a group of runs).
 */
export interface IChartSeries {
  label: string;
  x: number[];
  y: (number | null)[];
  min?: (number | null)[];
  max?: (number | null)[];
  color?: string;
}

/** Props of `MetricChart`. */
export interface IMetricChartProps {
  series: IChartSeries[];
  xAxis: XAxisKind;
  logScale?: boolean;
  /** Exponential moving average weight, 0 (raw) to 0.99 (smoothest). */
  smoothing?: number;
  /** Plot height in pixels (default 220); the width follows the container. */
  height?: number;
  title?: string;
  /**
   * Charts with the same key share their cursor (hovering one shows the
   * values at the same x in the others).
   */
  syncKey?: string;
  /** Show the legend under the plot (default true). */
  legend?: boolean;
}

/** A value in a parallel-coordinates or scatter plot. */
export type PlotValue = number | string | null;

/** One line of a parallel-coordinates plot. */
export interface IParallelRow {
  id: string;
  label: string;
  values: PlotValue[];
  /** The line's colour when no dimension colours the lines (default: by row). */
  color?: string;
}

/** Props of `ParallelCoordinates`. */
export interface IParallelCoordinatesProps {
  dimensions: string[];
  rows: IParallelRow[];
  /** A dimension whose values colour the lines (numeric: a gradient). */
  colorBy?: string;
  height?: number;
  /** Called with a row's id when its line is clicked. */
  onRowClick?: (id: string) => void;
}

/** One point of a scatter plot. */
export interface IScatterPoint {
  id: string;
  label: string;
  x: PlotValue;
  y: PlotValue;
  color?: string;
}

/** Props of `ScatterChart`. */
export interface IScatterChartProps {
  points: IScatterPoint[];
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  yLog?: boolean;
  height?: number;
  onPointClick?: (id: string) => void;
}
