import * as React from 'react';

import { buildScatterOption } from './plot-options';
import type { IScatterChartProps } from './types';
import { useECharts } from './use-echarts';
import { useThemeColors } from './use-theme-colors';

/**
 * A scatter plot (echarts) of one param or metric against another, one point
 * per run.
 */
export function ScatterChart(props: IScatterChartProps): JSX.Element {
  const { points, xLabel, yLabel, xLog, yLog, height = 320 } = props;
  const ref = React.useRef<HTMLDivElement>(null);
  const theme = useThemeColors();
  const option = React.useMemo(
    () => buildScatterOption(points, xLabel, yLabel, theme, { xLog, yLog }),
    [points, xLabel, yLabel, theme, xLog, yLog]
  );
  useECharts(ref, option, props.onPointClick);
  return (
    <div
      ref={ref}
      className="mlops-ScatterChart"
      style={{ height }}
      data-points={points.length}
    />
  );
}
