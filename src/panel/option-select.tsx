import * as React from 'react';

export interface IOptionSelectProps<T extends string> {
  /** The text before the list. */
  label: string;
  className: string;
  value: T;
  /** Each choice's value and text, in order. */
  choices: [T, string][];
  onChange: (value: T) => void;
}

/** A labelled list of fixed choices (a chart control). */
export function OptionSelect<T extends string>(
  props: IOptionSelectProps<T>
): JSX.Element {
  return (
    <label>
      {props.label}{' '}
      <select
        className={`jp-mod-styled ${props.className}`}
        value={props.value}
        onChange={event => props.onChange(event.target.value as T)}
      >
        {props.choices.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
