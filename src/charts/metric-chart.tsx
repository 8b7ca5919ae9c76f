import * as React from 'react';
import uPlot from 'uplot';

import { formatMetricValue } from '../format';
import { formatXTick } from './axis-format';
import { buildChartModel, hasDrawableValues, IChartModel } from './series';
import type { IMetricChartProps, XAxisKind } from './types';
import { useElementWidth } from './use-element-width';
import { IThemeColors, useThemeColors } from './use-theme-colors';

const DEFAULT_HEIGHT = 220;

/**
 * A line chart of metric series on uPlot: fast enough for hundreds of
 * thousands of points, with optional min-max bands, EMA smoothing (raw values
 * stay visible as a faint line), a log y scale, and drag-to-zoom on x
 * (double-click zooms back out). Live updates keep the user's zoom.
 */
export function MetricChart(props: IMetricChartProps): JSX.Element {
  const { series, xAxis, logScale = false, smoothing = 0, title } = props;
  const height = props.height ?? DEFAULT_HEIGHT;
  const containerRef = React.useRef<HTMLDivElement>(null);
  const plotRef = React.useRef<uPlot | null>(null);
  const zoomedRef = React.useRef(false);
  const width = useElementWidth(containerRef);
  const theme = useThemeColors();

  const model = React.useMemo(
    () => buildChartModel(series, { xAxis, logScale, smoothing }),
    [series, xAxis, logScale, smoothing]
  );
  // The plot is rebuilt only when its shape changes; new data for the same
  // shape goes through setData, which is what keeps live charts cheap.
  const shape = React.useMemo(
    () =>
      JSON.stringify([
        model.series.map(s => [s.label, s.color, s.role]),
        model.bands.map(b => [b.upper, b.lower]),
        xAxis,
        logScale,
        props.syncKey ?? null,
        title ?? null
      ]),
    [model, xAxis, logScale, props.syncKey, title]
  );
  const drawable = hasDrawableValues(series);

  React.useEffect(() => {
    const container = containerRef.current;
    if (!container || width <= 0 || !drawable) {
      return;
    }
    const options = buildOptions(model, {
      width,
      height,
      xAxis,
      logScale,
      theme,
      title,
      syncKey: props.syncKey,
      onZoom: zoomed => {
        zoomedRef.current = zoomed;
      }
    });
    const plot = new uPlot(
      options,
      model.data as uPlot.AlignedData,
      container.querySelector<HTMLElement>('.mlops-MetricChart-plot')!
    );
    hideBandLegendRows(plot, model);
    plotRef.current = plot;
    zoomedRef.current = false;
    const onDoubleClick = () => {
      zoomedRef.current = false;
    };
    plot.over.addEventListener('dblclick', onDoubleClick);
    return () => {
      plot.over.removeEventListener('dblclick', onDoubleClick);
      plot.destroy();
      plotRef.current = null;
    };
    // Data and size changes are applied by the effects below, not by a rebuild.
  }, [shape, theme, drawable, width > 0]);

  React.useEffect(() => {
    const plot = plotRef.current;
    if (plot && plot.data !== (model.data as uPlot.AlignedData)) {
      plot.setData(model.data as uPlot.AlignedData, !zoomedRef.current);
    }
  }, [model]);

  React.useEffect(() => {
    const plot = plotRef.current;
    if (plot && width > 0) {
      plot.setSize({ width, height });
    }
  }, [width, height]);

  return (
    <div
      ref={containerRef}
      className="mlops-MetricChart"
      data-x-axis={xAxis}
      data-log-scale={logScale ? 'true' : 'false'}
      data-points={model.data[0].length}
    >
      {!drawable && (
        <div className="mlops-MetricChart-empty" style={{ height }}>
          {title && <div className="mlops-MetricChart-title">{title}</div>}
          <span>No values to draw</span>
        </div>
      )}
      <div className="mlops-MetricChart-plot" />
    </div>
  );
}

interface IBuildOptions {
  width: number;
  height: number;
  xAxis: XAxisKind;
  logScale: boolean;
  theme: IThemeColors;
  title?: string;
  syncKey?: string;
  onZoom: (zoomed: boolean) => void;
}

function buildOptions(model: IChartModel, o: IBuildOptions): uPlot.Options {
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
      y: o.logScale ? { distr: 3, log: 10 } : { auto: true }
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
    legend: { live: true },
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
function hideBandLegendRows(plot: uPlot, model: IChartModel): void {
  const rows = plot.root.querySelectorAll<HTMLElement>('.u-legend .u-series');
  model.series.forEach((s, index) => {
    // Row 0 is the x series.
    const row = rows[index + 1];
    if (row && (s.role === 'min' || s.role === 'max')) {
      row.style.display = 'none';
    }
  });
}
