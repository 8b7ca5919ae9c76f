import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { ChartCard } from './chart-card';
import type { IChartOptions } from './chart-controls';
import type { HistoryCache } from './history-cache';

export interface IMetricGridProps {
  runs: IRun[];
  keys: string[];
  /**
   * Each run's colour, by run id (for charts of one key); without it runs
   * take the palette in order.
   */
  colors?: ReadonlyMap<string, string>;
  options: IChartOptions;
  cache: HistoryCache;
  /** Bumped by the owner to redraw charts of running runs with new data. */
  version: number;
  trans: TranslationBundle;
}

/**
 * Metric charts for one or more runs: a grid with one chart per key (only
 * charts in view fetch and draw, so hundreds of keys stay responsive), or
 * one combined chart. Histories come downsampled to each chart's width.
 */
export function MetricGrid(props: IMetricGridProps): JSX.Element {
  const { keys, options, trans } = props;
  if (keys.length === 0) {
    return (
      <div className="mlops-Placeholder">{trans.__('No metrics logged.')}</div>
    );
  }
  if (options.layout === 'combined') {
    return (
      <div className="mlops-MetricGrid mlops-mod-combined">
        <ChartCard
          {...props}
          chartKeys={keys}
          title={trans.__('All metrics')}
        />
      </div>
    );
  }
  return (
    <div className="mlops-MetricGrid">
      {keys.map(key => (
        <ChartCard key={key} {...props} chartKeys={[key]} title={key} />
      ))}
    </div>
  );
}
