import * as React from 'react';

import type { IParameterDefinition } from './api';
import { FieldError } from './field-error';
import { parameterTypeLabel } from './pipeline-arguments';

/** One pipeline parameter: its name and type, and its value as text. */
export function ParameterField(props: {
  name: string;
  definition: IParameterDefinition;
  value: string | undefined;
  onChange: (text: string) => void;
  error?: string;
}): JSX.Element {
  const { name, definition } = props;
  return (
    <label className="jp-mlops-form-field">
      <span>
        {name}{' '}
        <small title={definition.parameterType}>
          {parameterTypeLabel(definition.parameterType)}
        </small>
      </span>
      {definition.parameterType === 'BOOLEAN' ? (
        <select
          name={name}
          value={props.value || 'false'}
          onChange={e => props.onChange(e.target.value)}
        >
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : (
        <input
          name={name}
          value={props.value ?? ''}
          onChange={e => props.onChange(e.target.value)}
        />
      )}
      <FieldError field={name} message={props.error} />
    </label>
  );
}
