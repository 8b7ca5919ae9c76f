import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { ChartControls, IChartOptions } from './chart-controls';
import type { HistoryCache } from './history-cache';
import { MetricGrid } from './metric-grid';

export interface ICompareMetricsSectionProps {
  runs: IRun[];
  metricKeys: string[];
  /** Each run's colour, by run id. */
  colors: ReadonlyMap<string, string>;
  /** The params the runs may be grouped by. */
  paramKeys: string[];
  options: IChartOptions;
  onOptions: (options: IChartOptions) => void;
  cache: HistoryCache;
  version: number;
  trans: TranslationBundle;
}

/** The compared runs' metrics, overlaid in one chart per key. */
export function CompareMetricsSection(
  props: ICompareMetricsSectionProps
): JSX.Element {
  const { trans } = props;
  return (
    <section className="mlops-CompareView-section mlops-CompareView-metrics">
      <h2>{trans.__('Metrics')}</h2>
      <ChartControls
        options={props.options}
        onChange={props.onOptions}
        groupKeys={props.paramKeys}
        trans={trans}
      />
      <MetricGrid
        runs={props.runs}
        keys={props.metricKeys}
        colors={props.colors}
        options={props.options}
        cache={props.cache}
        version={props.version}
        trans={trans}
      />
    </section>
  );
}
