import * as React from 'react';

import { formatLocalTime, formatTimeUntil } from './cron-words';

/** When a schedule fires next (local time, and how long until), or a dash. */
export function ScheduleNextFire(props: {
  enabled: boolean;
  nextFireTime: number;
  now: number;
}): JSX.Element {
  const { nextFireTime } = props;
  if (!props.enabled) {
    return <>—</>;
  }
  const iso = new Date(nextFireTime).toISOString();
  return (
    <>
      <time dateTime={iso} title={`${iso.slice(0, 16).replace('T', ' ')} UTC`}>
        {formatLocalTime(nextFireTime)}
      </time>
      <small>{formatTimeUntil(nextFireTime, props.now)}</small>
    </>
  );
}
