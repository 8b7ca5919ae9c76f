import * as React from 'react';

import type { ServerStatus } from './api';

/** A server's status as a coloured pill, with the reason as its tooltip. */
export function ServerStatusBadge(props: {
  status: ServerStatus;
  reason: string;
  message: string;
}): JSX.Element {
  const title = [props.status, props.reason, props.message]
    .filter(Boolean)
    .join(' — ');
  return (
    <span
      className={`mlops-NbStatus mlops-mod-${props.status.toLowerCase()}`}
      title={title}
      data-status={props.status}
    >
      {props.status}
      {props.reason && props.reason !== props.status ? `: ${props.reason}` : ''}
    </span>
  );
}
