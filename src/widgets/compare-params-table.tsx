import * as React from 'react';

import { formatMetricValue } from '../format';
import type { IParamRow, IRunRow } from './logic';

/** Each run a column: its params (differing rows marked), then its metrics. */
export function CompareParamsTable(props: {
  runs: IRunRow[];
  params: IParamRow[];
  metricKeys: string[];
}): JSX.Element {
  const { runs } = props;
  return (
    <div className="mlops-RunsTableWidget-scroll">
      <table className="mlops-WidgetTable">
        <thead>
          <tr>
            <th>param</th>
            {runs.map(r => (
              <th key={r.run_id} title={r.run_id}>
                {r.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.params.map(p => (
            <tr
              key={p.key}
              className={p.differs ? 'mlops-CompareRuns-differs' : ''}
            >
              <td>{p.key}</td>
              {p.values.map((v, i) => (
                <td key={runs[i]?.run_id ?? i}>{v ?? '—'}</td>
              ))}
            </tr>
          ))}
          {props.metricKeys.map(key => (
            <tr key={`metric-${key}`} className="mlops-CompareRuns-metric">
              <td>{key}</td>
              {runs.map(r => (
                <td key={r.run_id} className="mlops-mod-numeric">
                  {r.metrics[key] === undefined
                    ? '—'
                    : formatMetricValue(r.metrics[key] ?? NaN)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
