import * as React from 'react';

import { buildChartModel, hasDrawableValues } from './series';
import type { IMetricChartProps } from './types';
import { useElementWidth } from './use-element-width';
import { useMetricPlot } from './use-metric-plot';
import { useThemeColors } from './use-theme-colors';

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
        title ?? null,
        props.legend ?? true
      ]),
    [model, xAxis, logScale, props.syncKey, title, props.legend]
  );
  const drawable = hasDrawableValues(series);

  useMetricPlot(containerRef, model, shape, drawable, {
    width,
    height,
    xAxis,
    logScale,
    theme,
    title,
    syncKey: props.syncKey,
    legend: props.legend
  });

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
