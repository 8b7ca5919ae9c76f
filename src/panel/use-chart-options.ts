import * as React from 'react';

import type { IMlopsSettings } from '../settings';
import type { IChartOptions } from './chart-controls';

/**
 * The chart options of one view, starting from the user's settings for the
 * x axis and smoothing.
 */
export function useChartOptions(
  settings: Pick<IMlopsSettings, 'chartXAxis' | 'chartSmoothing'>
): [IChartOptions, (options: IChartOptions) => void] {
  return React.useState<IChartOptions>(() => ({
    xAxis: settings.chartXAxis,
    smoothing: settings.chartSmoothing,
    logScale: false,
    layout: 'grid',
    groupBy: null,
    band: 'minmax'
  }));
}
