import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { ChartControls, IChartOptions } from './chart-controls';
import type { HistoryCache } from './history-cache';
import { MetricGrid } from './metric-grid';

export interface IRunMetricsTabProps {
  run: IRun;
  metricKeys: string[];
  options: IChartOptions;
  onOptions: (options: IChartOptions) => void;
  cache: HistoryCache;
  version: number;
  trans: TranslationBundle;
}

/** The run view's Metrics tab: chart controls over a grid of charts. */
export function RunMetricsTab(props: IRunMetricsTabProps): JSX.Element {
  const { trans } = props;
  return (
    <div className="mlops-RunView-metrics">
      <ChartControls
        options={props.options}
        onChange={props.onOptions}
        trans={trans}
      />
      <MetricGrid
        runs={[props.run]}
        keys={props.metricKeys}
        options={props.options}
        cache={props.cache}
        version={props.version}
        trans={trans}
      />
    </div>
  );
}
