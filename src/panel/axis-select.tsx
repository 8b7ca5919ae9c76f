import * as React from 'react';

export interface IAxisSelectProps {
  /** The axis name shown before the list, e.g. "X". */
  label: string;
  className: string;
  value: string;
  columns: readonly string[];
  onChange: (column: string) => void;
}

/** A labelled list of the columns a chart axis may show. */
export function AxisSelect(props: IAxisSelectProps): JSX.Element {
  const { label, className, value, columns, onChange } = props;
  return (
    <label>
      {label}{' '}
      <select
        className={`jp-mod-styled ${className}`}
        value={value}
        onChange={event => onChange(event.target.value)}
      >
        {columns.map(c => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </label>
  );
}
