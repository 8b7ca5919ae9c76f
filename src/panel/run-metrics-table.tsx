import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { TableSection } from '../components/table-section';
import { formatMetricValue } from '../format';

export interface IRunMetricsTableProps {
  metrics: IRun['metrics'];
  trans: TranslationBundle;
}

/** A run's metrics (latest, min, max, step), one row per key in key order. */
export function RunMetricsTable(props: IRunMetricsTableProps): JSX.Element {
  const { metrics, trans } = props;
  return (
    <TableSection
      title={trans.__('Metrics')}
      emptyText={trans.__('No metrics logged.')}
      items={Object.keys(metrics).sort()}
      tableClassName="mlops-KeyValueTable mlops-RunOverview-metrics"
      headers={[
        trans.__('Metric'),
        trans.__('Latest'),
        trans.__('Min'),
        trans.__('Max'),
        trans.__('Step')
      ]}
      row={key => {
        const m = metrics[key];
        return (
          <tr key={key} data-metric={key}>
            <th scope="row">{key}</th>
            <td>{formatMetricValue(m.value)}</td>
            <td>{formatMetricValue(m.min)}</td>
            <td>{formatMetricValue(m.max)}</td>
            <td>{m.step}</td>
          </tr>
        );
      }}
    />
  );
}
