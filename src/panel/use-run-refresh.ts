import * as React from 'react';

import type { IRun } from '../api';
import { isActiveStatus } from '../format';
import type { HistoryCache } from './history-cache';
import { useInterval } from './use-signal-state';

export interface IRunRefresh {
  /** The time of the last refresh (for the duration of a running run). */
  now: number;
  /** Bumped after each refresh, so that charts fetch their data again. */
  version: number;
}

/** Re-read a running run every `seconds` while its view is visible. */
export function useRunRefresh(
  runId: string,
  run: IRun | null,
  load: () => Promise<unknown>,
  cache: HistoryCache,
  seconds: number,
  visible: boolean
): IRunRefresh {
  const [now, setNow] = React.useState(Date.now());
  const [version, setVersion] = React.useState(0);
  const active = run !== null && isActiveStatus(run.info.status);
  useInterval(
    () => {
      setNow(Date.now());
      void load().then(() => {
        cache.invalidate(runId);
        setVersion(v => v + 1);
      });
    },
    seconds,
    visible && active
  );
  return { now, version };
}
