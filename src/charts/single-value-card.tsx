import * as React from 'react';

import { formatMetricValue } from '../format';
import { barFractions, ISingleValue } from './single-value';

export interface ISingleValueCardProps {
  title: string;
  values: ISingleValue[];
}

/**
 * Metrics logged once: one run's value as a number, several runs' values as
 * bars from zero (a line chart of lone points says nothing, on a made-up axis).
 */
export function SingleValueCard(props: ISingleValueCardProps): JSX.Element {
  const { title, values } = props;
  if (values.length === 1) {
    const only = values[0];
    return (
      <div className="mlops-SingleValue" data-values="1">
        <div className="mlops-SingleValue-title">{title}</div>
        <div
          className="mlops-SingleValue-number"
          title={String(only.value)}
          aria-label={`${title}: ${only.value}`}
        >
          {formatMetricValue(only.value)}
        </div>
      </div>
    );
  }
  const fractions = barFractions(values);
  return (
    <div className="mlops-SingleValue" data-values={values.length}>
      <div className="mlops-SingleValue-title">{title}</div>
      <table className="mlops-SingleValue-bars">
        <tbody>
          {values.map((v, i) => (
            <tr key={`${v.label}\u0000${i}`} data-label={v.label}>
              <th scope="row" title={v.label}>
                {v.label}
              </th>
              <td className="mlops-SingleValue-barCell">
                <span
                  className="mlops-SingleValue-bar"
                  style={{
                    width: `${(fractions[i] * 100).toFixed(1)}%`,
                    backgroundColor: v.color
                  }}
                />
              </td>
              <td className="mlops-SingleValue-value" title={String(v.value)}>
                {formatMetricValue(v.value)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
