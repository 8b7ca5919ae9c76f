/**
 * Pure builders of echarts options for the parallel-coordinates and scatter
 * plots. They take plain data and theme colours and return plain objects, so
 * they are unit-tested without a canvas.
 */
import { formatMetricValue } from '../format';
import { seriesColor } from './palette';
import type { IParallelRow, IScatterPoint, PlotValue } from './types';
import type { IThemeColors } from './use-theme-colors';

/** How one dimension of a plot is drawn. */
export interface IDimensionAxis {
  name: string;
  /** `value` when every present value is a finite number, else `category`. */
  type: 'value' | 'category';
  /** The sorted distinct values of a category axis. */
  categories?: string[];
  min?: number;
  max?: number;
}

/**
 * Decide the axis of each dimension from the values in it. Strings that read
 * as numbers (params arrive as strings) count as numbers.
 */
export function describeDimension(
  name: string,
  values: readonly PlotValue[]
): IDimensionAxis {
  const present = values.filter(
    (v): v is number | string => v !== null && v !== ''
  );
  const numbers = present.map(toNumber);
  if (numbers.every(n => n !== null)) {
    const finite = numbers as number[];
    return {
      name,
      type: 'value',
      min: finite.length ? Math.min(...finite) : undefined,
      max: finite.length ? Math.max(...finite) : undefined
    };
  }
  const categories = Array.from(new Set(present.map(String))).sort((a, b) =>
    a.localeCompare(b, undefined, { numeric: true })
  );
  return { name, type: 'category', categories };
}

/** The number a value stands for, or `null` (text, NaN, infinities). */
export function toNumber(value: PlotValue | undefined): number | null {
  if (value === null || value === undefined || value === '') {
    return null;
  }
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

function axisValue(value: PlotValue, axis: IDimensionAxis): number | string {
  if (value === null || value === '') {
    // echarts' marker for a missing value.
    return '-';
  }
  if (axis.type === 'value') {
    return toNumber(value) ?? '-';
  }
  return String(value);
}

function textStyle(theme: IThemeColors) {
  return { color: theme.text, fontFamily: theme.font, fontSize: 11 };
}

/**
 * The echarts option of a parallel-coordinates plot: one axis per dimension
 * (numeric or categorical), one line per row, coloured by `colorBy` (a
 * gradient for a numeric dimension, one colour per category otherwise) or by
 * row order.
 */
export function buildParallelOption(
  dimensions: readonly string[],
  rows: readonly IParallelRow[],
  theme: IThemeColors,
  colorBy?: string
): Record<string, unknown> {
  const axes = dimensions.map((name, index) =>
    describeDimension(
      name,
      rows.map(row => row.values[index] ?? null)
    )
  );
  const colorIndex = colorBy ? dimensions.indexOf(colorBy) : -1;
  const colorAxis = colorIndex >= 0 ? axes[colorIndex] : null;
  const lineStyle = { width: 1.5, opacity: 0.6 };
  const data = parallelLines(rows, axes, colorAxis, colorIndex);
  const option: Record<string, unknown> = {
    animation: false,
    textStyle: textStyle(theme),
    tooltip: { trigger: 'item', confine: true },
    parallel: {
      left: 40,
      right: 60,
      top: 40,
      bottom: 30,
      parallelAxisDefault: {
        nameLocation: 'end',
        nameGap: 12,
        nameTextStyle: { ...textStyle(theme), fontWeight: 'bold' },
        axisLine: { lineStyle: { color: theme.axis } },
        axisTick: { lineStyle: { color: theme.axis } },
        axisLabel: textStyle(theme),
        splitLine: { show: false },
        areaSelectStyle: { width: 15, opacity: 0.3 }
      }
    },
    parallelAxis: axes.map((axis, dim) => parallelAxis(axis, dim, theme)),
    series: [
      {
        type: 'parallel',
        smooth: false,
        lineStyle,
        emphasis: { lineStyle: { width: 3, opacity: 1 } },
        inactiveOpacity: 0.05,
        activeOpacity: 1,
        data
      }
    ]
  };
  if (colorAxis && colorAxis.type === 'value' && colorAxis.min !== undefined) {
    option.visualMap = parallelColorScale(colorAxis, colorIndex, theme);
  }
  return option;
}

/**
 * The lines of a parallel-coordinates plot, one per row; without a numeric
 * colour dimension each line has its colour (by category, else by row).
 */
function parallelLines(
  rows: readonly IParallelRow[],
  axes: IDimensionAxis[],
  colorAxis: IDimensionAxis | null,
  colorIndex: number
): Record<string, unknown>[] {
  return rows.map((row, rowIndex) => {
    const item: Record<string, unknown> = {
      name: row.label,
      id: row.id,
      value: axes.map((axis, i) => axisValue(row.values[i] ?? null, axis))
    };
    if (!colorAxis || colorAxis.type === 'category') {
      const category =
        colorAxis && colorAxis.categories
          ? colorAxis.categories.indexOf(String(row.values[colorIndex]))
          : rowIndex;
      item.lineStyle = {
        color: (!colorAxis && row.color) || seriesColor(Math.max(0, category))
      };
    }
    return item;
  });
}

/** One axis of a parallel-coordinates plot: a value scale or categories. */
function parallelAxis(
  axis: IDimensionAxis,
  dim: number,
  theme: IThemeColors
): Record<string, unknown> {
  return axis.type === 'value'
    ? {
        dim,
        name: axis.name,
        type: 'value',
        scale: true,
        axisLabel: {
          ...textStyle(theme),
          formatter: (v: number) => formatMetricValue(v)
        }
      }
    : { dim, name: axis.name, type: 'category', data: axis.categories };
}

/** The colour gradient of the lines along a numeric dimension. */
function parallelColorScale(
  colorAxis: IDimensionAxis,
  colorIndex: number,
  theme: IThemeColors
): Record<string, unknown> {
  return {
    type: 'continuous',
    show: true,
    dimension: colorIndex,
    min: colorAxis.min,
    max: colorAxis.max === colorAxis.min ? colorAxis.min! + 1 : colorAxis.max,
    right: 0,
    top: 'middle',
    itemHeight: 120,
    text: [colorAxis.name, ''],
    textStyle: textStyle(theme),
    inRange: {
      color: ['#4e79a7', '#76b7b2', '#edc948', '#f28e2b', '#e15759']
    },
    calculable: true
  };
}

/**
 * The echarts option of a scatter plot of one value against another; text
 * values get a categorical axis, `xLog`/`yLog` a log axis (points <= 0 are
 * left out there, since a log axis cannot place them).
 */
export function buildScatterOption(
  points: readonly IScatterPoint[],
  xLabel: string,
  yLabel: string,
  theme: IThemeColors,
  options: { xLog?: boolean; yLog?: boolean } = {}
): Record<string, unknown> {
  const xAxisInfo = describeDimension(
    xLabel,
    points.map(p => p.x)
  );
  const yAxisInfo = describeDimension(
    yLabel,
    points.map(p => p.y)
  );
  const usable = points.filter(p => {
    const keep = (value: PlotValue, axis: IDimensionAxis, log?: boolean) => {
      if (value === null || value === '') {
        return false;
      }
      if (axis.type === 'category') {
        return true;
      }
      const n = toNumber(value);
      return n !== null && (!log || n > 0);
    };
    return (
      keep(p.x, xAxisInfo, options.xLog) && keep(p.y, yAxisInfo, options.yLog)
    );
  });
  const axis = (info: IDimensionAxis, log: boolean | undefined) => {
    const common = {
      name: info.name,
      nameLocation: 'middle',
      nameGap: 30,
      nameTextStyle: { ...textStyle(theme), fontWeight: 'bold' },
      axisLine: { lineStyle: { color: theme.axis } },
      axisLabel: textStyle(theme),
      splitLine: { lineStyle: { color: theme.grid } }
    };
    if (info.type === 'category') {
      return { ...common, type: 'category', data: info.categories };
    }
    return {
      ...common,
      type: log && info.type === 'value' ? 'log' : 'value',
      scale: true,
      axisLabel: {
        ...textStyle(theme),
        formatter: (v: number) => formatMetricValue(v)
      }
    };
  };
  return {
    animation: false,
    textStyle: textStyle(theme),
    grid: { left: 64, right: 24, top: 16, bottom: 48 },
    tooltip: { trigger: 'item', confine: true },
    xAxis: axis(xAxisInfo, options.xLog),
    yAxis: { ...axis(yAxisInfo, options.yLog), nameGap: 50 },
    series: [
      {
        type: 'scatter',
        symbolSize: 9,
        emphasis: { focus: 'self', scale: 1.6 },
        data: usable.map((p, index) => ({
          id: p.id,
          name: p.label,
          value: [
            xAxisInfo.type === 'value' ? toNumber(p.x) : String(p.x),
            yAxisInfo.type === 'value' ? toNumber(p.y) : String(p.y)
          ],
          itemStyle: { color: p.color ?? seriesColor(index) }
        }))
      }
    ]
  };
}
