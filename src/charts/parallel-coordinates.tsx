import * as React from 'react';

import { buildParallelOption } from './plot-options';
import type { IParallelCoordinatesProps } from './types';
import { useECharts } from './use-echarts';
import { useThemeColors } from './use-theme-colors';

/**
 * A parallel-coordinates plot (echarts) of runs over params and metrics: drag
 * along an axis to select a range, hover a line to see its run.
 */
export function ParallelCoordinates(
  props: IParallelCoordinatesProps
): JSX.Element {
  const { dimensions, rows, colorBy, height = 320 } = props;
  const ref = React.useRef<HTMLDivElement>(null);
  const theme = useThemeColors();
  const option = React.useMemo(
    () => buildParallelOption(dimensions, rows, theme, colorBy),
    [dimensions, rows, theme, colorBy]
  );
  useECharts(ref, option, props.onRowClick);
  return (
    <div
      ref={ref}
      className="mlops-ParallelCoordinates"
      style={{ height }}
      data-rows={rows.length}
    />
  );
}
