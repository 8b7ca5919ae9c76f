import * as React from 'react';

import type { RunStatus } from '../api';

export interface IStatusBadgeProps {
  status: RunStatus;
  label: string;
}

/**
 * A run's status as a coloured pill; the colour comes from the theme.
 */
export function StatusBadge(props: IStatusBadgeProps): JSX.Element {
  return (
    <span
      className={`mlops-StatusBadge mlops-mod-${props.status.toLowerCase()}`}
      title={props.status}
    >
      {props.label}
    </span>
  );
}
