import * as React from 'react';

import type { IModelVersion } from './registry-api';

export interface IVersionSelectProps {
  versions: IModelVersion[];
  value: string;
  onChange: (version: string) => void;
  /** The words before the list, e.g. "Version". */
  label: string;
  ariaLabel: string;
  className: string;
}

/** A heading that picks one of a model's versions. */
export function VersionSelect(props: IVersionSelectProps): JSX.Element {
  return (
    <h3>
      <label>
        {props.label}{' '}
        <select
          className={props.className}
          aria-label={props.ariaLabel}
          value={props.value}
          onChange={event => props.onChange(event.target.value)}
        >
          {props.versions.map(v => (
            <option key={v.version} value={v.version}>
              {v.version}
            </option>
          ))}
        </select>
      </label>
    </h3>
  );
}
