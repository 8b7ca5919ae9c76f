import * as React from 'react';

import { formatMetricValue } from '../format';
import type { IRunRow } from './logic';

/** One run of the runs table; a click anywhere ticks or unticks it. */
export function RunsTableRow(props: {
  row: IRunRow;
  params: string[];
  metrics: string[];
  chosen: boolean;
  onToggle: () => void;
}): JSX.Element {
  const { row, chosen } = props;
  return (
    <tr className={chosen ? 'mlops-mod-selected' : ''} onClick={props.onToggle}>
      <td>
        <input
          type="checkbox"
          aria-label={`select ${row.name}`}
          checked={chosen}
          onChange={props.onToggle}
          onClick={e => e.stopPropagation()}
        />
      </td>
      <td title={row.run_id}>{row.name}</td>
      <td>{row.status.toLowerCase()}</td>
      {props.params.map(p => (
        <td key={p}>{row.params[p] ?? '—'}</td>
      ))}
      {props.metrics.map(m => (
        <td key={m} className="mlops-mod-numeric">
          {row.metrics[m] === undefined
            ? '—'
            : formatMetricValue(row.metrics[m] ?? NaN)}
        </td>
      ))}
    </tr>
  );
}
