import * as React from 'react';

/** The error of one form field, named by `data-field`; nothing without one. */
export function FieldError(props: {
  field: string;
  message?: string;
}): JSX.Element | null {
  return props.message ? (
    <span
      className="jp-mlops-field-error"
      role="alert"
      data-field={props.field}
    >
      {props.message}
    </span>
  ) : null;
}
