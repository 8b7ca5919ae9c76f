import type { ISignal } from '@lumino/signaling';
import * as React from 'react';

/**
 * Re-render whenever `signal` fires, returning `read()` each time.
 */
export function useSignalState<S, T>(
  signal: ISignal<S, unknown>,
  read: () => T
): T {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const bump = () => setTick(n => n + 1);
    signal.connect(bump);
    return () => {
      signal.disconnect(bump);
    };
  }, [signal]);
  return read();
}

/**
 * Call `tick` every `seconds` while `active` (0 seconds: never).
 */
export function useInterval(
  tick: () => void,
  seconds: number,
  active: boolean
): void {
  const saved = React.useRef(tick);
  saved.current = tick;
  React.useEffect(() => {
    if (!active || seconds <= 0) {
      return;
    }
    const timer = window.setInterval(() => saved.current(), seconds * 1000);
    return () => window.clearInterval(timer);
  }, [seconds, active]);
}
