import { seriesColor, withAlpha } from './palette';
import { emaSmooth } from './smoothing';
import type { IChartSeries, XAxisKind } from './types';

/**
 * Values aligned on the shared x array: `undefined` where a series has no
 * point at that x (the line is drawn across), `null` where it has a point
 * without a drawable value (the line breaks).
 */
export type AlignedColumn = (number | null | undefined)[];

/** What a drawn uPlot series shows. */
export type PlotRole = 'line' | 'raw' | 'max' | 'min';

export interface IPlotSeries {
  label: string;
  color: string;
  role: PlotRole;
  /** Index of the input series it comes from. */
  source: number;
}

/**
 * Everything uPlot needs, computed without touching the DOM: the aligned data
 * (`data[0]` is x), one entry of `series` per data column after x, and the
 * bands as [upper, lower] column indices (1-based, as uPlot counts them).
 */
export interface IChartModel {
  data: AlignedColumn[];
  series: IPlotSeries[];
  bands: { upper: number; lower: number; fill: string }[];
}

export interface IChartModelOptions {
  xAxis: XAxisKind;
  logScale?: boolean;
  smoothing?: number;
}

/**
 * Build the chart model for some series: x converted for the axis kind,
 * points sorted by x, undrawable values (NaN, infinities, and values <= 0 on a
 * log scale) turned into gaps, smoothing applied, and all series aligned on
 * one sorted x array.
 *
 * With smoothing, each series is drawn smoothed, plus its raw values as a
 * faint line; min/max bands are smoothed like the line they surround.
 */
export function buildChartModel(
  input: readonly IChartSeries[],
  options: IChartModelOptions
): IChartModel {
  const smoothing = options.smoothing ?? 0;
  const logScale = options.logScale ?? false;
  const columns: { x: number[]; y: (number | null)[] }[] = [];
  const series: IPlotSeries[] = [];
  const bands: IChartModel['bands'] = [];

  input.forEach((raw, source) => {
    const color = raw.color ?? seriesColor(source);
    const prepared = prepareSeries(raw, options.xAxis);
    const clean = (values: (number | null)[]) =>
      values.map(v => drawable(v, logScale));
    const y = clean(prepared.y);
    const smooth = (values: (number | null)[]) =>
      smoothing > 0 ? emaSmooth(values, smoothing) : values;

    columns.push({ x: prepared.x, y: smooth(y) });
    series.push({ label: raw.label, color, role: 'line', source });
    if (smoothing > 0) {
      columns.push({ x: prepared.x, y });
      series.push({
        label: `${raw.label} (raw)`,
        color: withAlpha(color, 0.25),
        role: 'raw',
        source
      });
    }
    if (prepared.min && prepared.max) {
      columns.push({ x: prepared.x, y: smooth(clean(prepared.max)) });
      series.push({ label: `${raw.label} (max)`, color, role: 'max', source });
      columns.push({ x: prepared.x, y: smooth(clean(prepared.min)) });
      series.push({ label: `${raw.label} (min)`, color, role: 'min', source });
      // Data columns are 1-based in uPlot (0 is x).
      bands.push({
        upper: columns.length - 1,
        lower: columns.length,
        fill: withAlpha(color, 0.18)
      });
    }
  });

  return { data: alignColumns(columns), series, bands };
}

interface IPreparedSeries {
  x: number[];
  y: (number | null)[];
  min?: (number | null)[];
  max?: (number | null)[];
}

/**
 * One series with x converted for the axis kind and sorted ascending (with
 * `y`, `min` and `max` permuted along). Points with a non-finite x are dropped.
 */
export function prepareSeries(
  series: IChartSeries,
  xAxis: XAxisKind
): IPreparedSeries {
  const n = Math.min(series.x.length, series.y.length);
  const hasBand =
    series.min !== undefined &&
    series.max !== undefined &&
    series.min.length >= n &&
    series.max.length >= n;
  let order: number[] = [];
  let sorted = true;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(series.x[i])) {
      continue;
    }
    if (order.length > 0 && series.x[i] < series.x[order[order.length - 1]]) {
      sorted = false;
    }
    order.push(i);
  }
  if (!sorted) {
    // A stable sort keeps repeated steps in logging order.
    order = order
      .map((index, position) => ({ index, position }))
      .sort(
        (a, b) =>
          series.x[a.index] - series.x[b.index] || a.position - b.position
      )
      .map(item => item.index);
  }
  const origin =
    xAxis === 'relative' && order.length > 0 ? series.x[order[0]] : 0;
  const prepared: IPreparedSeries = {
    x: order.map(i => series.x[i] - origin),
    y: order.map(i => series.y[i])
  };
  if (hasBand) {
    prepared.min = order.map(i => series.min![i]);
    prepared.max = order.map(i => series.max![i]);
  }
  return prepared;
}

/**
 * Align columns that each have their own sorted x on the union of all x.
 *
 * When every column has the same x (the common case: one run, or runs logged
 * at the same steps) the arrays are used as they are. Repeated x values within
 * a column keep their last value, since uPlot needs one value per x.
 */
export function alignColumns(
  columns: readonly { x: readonly number[]; y: readonly (number | null)[] }[]
): AlignedColumn[] {
  if (columns.length === 0) {
    return [[]];
  }
  const first = columns[0].x;
  const shared =
    isStrictlyAscending(first) &&
    columns.every(column => sameValues(column.x, first));
  if (shared) {
    return [first.slice(), ...columns.map(column => column.y.slice())];
  }

  let total = 0;
  for (const column of columns) {
    total += column.x.length;
  }
  const all = new Float64Array(total);
  let offset = 0;
  for (const column of columns) {
    all.set(column.x, offset);
    offset += column.x.length;
  }
  all.sort();
  const xs: number[] = [];
  for (let i = 0; i < all.length; i++) {
    if (i === 0 || all[i] !== all[i - 1]) {
      xs.push(all[i]);
    }
  }

  const aligned: AlignedColumn[] = [xs];
  for (const column of columns) {
    const values: AlignedColumn = new Array(xs.length).fill(undefined);
    // Both arrays are sorted: walk them together.
    let j = 0;
    for (let i = 0; i < column.x.length; i++) {
      while (xs[j] < column.x[i]) {
        j++;
      }
      values[j] = column.y[i];
    }
    aligned.push(values);
  }
  return aligned;
}

/** Whether the series has anything to draw. */
export function hasDrawableValues(series: readonly IChartSeries[]): boolean {
  return series.some(s => s.y.some(v => v !== null && Number.isFinite(v)));
}

function drawable(value: number | null, logScale: boolean): number | null {
  if (value === null || !Number.isFinite(value)) {
    return null;
  }
  if (logScale && value <= 0) {
    return null;
  }
  return value;
}

function isStrictlyAscending(values: readonly number[]): boolean {
  for (let i = 1; i < values.length; i++) {
    if (!(values[i] > values[i - 1])) {
      return false;
    }
  }
  return true;
}

function sameValues(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) {
    return true;
  }
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}
