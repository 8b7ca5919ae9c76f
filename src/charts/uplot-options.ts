import uPlot from 'uplot';

import { formatMetricValue } from '../format';
import { formatXTick } from './axis-format';
import { fittedRange } from './axis-range';
import type { IChartModel } from './series';
import type { XAxisKind } from './types';
import type { IThemeColors } from './use-theme-colors';

/** What the uPlot options of a metric chart are built from. */
export interface IBuildOptions {
  width: number;
  height: number;
  xAxis: XAxisKind;
  logScale: boolean;
  theme: IThemeColors;
  title?: string;
  syncKey?: string;
  /** Show the legend under the plot (default true). */
  legend?: boolean;
  onZoom: (zoomed: boolean) => void;
}

/** The uPlot options of a metric chart: axes, series, bands, cursor, zoom. */
export function buildOptions(
  model: IChartModel,
  o: IBuildOptions
): uPlot.Options {
  const font = `11px ${o.theme.font}`;
  const axis = (extra: Partial<uPlot.Axis>): uPlot.Axis => ({
    stroke: o.theme.text,
    font,
    labelFont: font,
    grid: { stroke: o.theme.grid, width: 1 },
    ticks: { stroke: o.theme.grid, width: 1 },
    ...extra
  });
  return {
    width: o.width,
    height: o.height,
    title: o.title,
    // Timestamps are milliseconds, as the server sends them.
    ms: 1,
    scales: {
      x: { time: o.xAxis === 'time' },
      y: o.logScale
        ? { distr: 3, log: 10 }
        : { auto: true, range: (_u, min, max) => fittedRange(min, max) }
    },
    axes: [
      o.xAxis === 'time'
        ? axis({})
        : axis({
            values: (_u, splits) =>
              splits.map(value => formatXTick(value, o.xAxis))
          }),
      axis({
        size: 56,
        values: (_u, splits) =>
          splits.map(value => (value === null ? '' : formatMetricValue(value)))
      })
    ],
    series: [
      {
        label: o.xAxis === 'step' ? 'step' : 'time',
        value: (_u, value) =>
          value === null || value === undefined
            ? '—'
            : o.xAxis === 'time'
              ? new Date(value).toLocaleString()
              : formatXTick(value, o.xAxis)
      },
      ...model.series.map((s): uPlot.Series => ({
        label: s.label,
        stroke: s.role === 'min' || s.role === 'max' ? 'transparent' : s.color,
        width: s.role === 'line' ? 1.5 : 1,
        spanGaps: false,
        // Lines show their points when they are sparse enough to tell apart
        // (uPlot's default), so a metric logged once is a dot, not nothing.
        ...(s.role === 'line' ? {} : { points: { show: false } }),
        value: (_u, value) =>
          value === null || value === undefined ? '—' : formatMetricValue(value)
      }))
    ],
    bands: model.bands.map(b => ({
      series: [b.upper, b.lower] as [number, number],
      fill: b.fill
    })),
    cursor: {
      drag: { x: true, y: false, setScale: true },
      sync: o.syncKey ? { key: o.syncKey } : undefined
    },
    legend: { show: o.legend ?? true, live: true },
    hooks: {
      setSelect: [
        u => {
          if (u.select.width > 0) {
            o.onZoom(true);
          }
        }
      ]
    }
  };
}

/** The min and max edges of a band are data, not lines worth a legend row. */
export function hideBandLegendRows(plot: uPlot, model: IChartModel): void {
  const rows = plot.root.querySelectorAll<HTMLElement>('.u-legend .u-series');
  model.series.forEach((s, index) => {
    // Row 0 is the x series.
    const row = rows[index + 1];
    if (row && (s.role === 'min' || s.role === 'max')) {
      row.style.display = 'none';
    }
  });
}
