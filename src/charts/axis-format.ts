import { formatDuration } from '../format';
import type { XAxisKind } from './types';

/**
 * A tick label for an x value: steps as numbers (compact when large),
 * relative times as durations. Wall-clock times are left to uPlot's time axis.
 */
export function formatXTick(value: number, xAxis: XAxisKind): string {
  if (xAxis === 'relative') {
    return value === 0 ? '0' : formatDuration(value);
  }
  return formatCompact(value);
}

/** `1200000` -> `1.2M`, `15000` -> `15k`, small values unchanged. */
export function formatCompact(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e9) {
    return `${trim(value / 1e9)}G`;
  }
  if (magnitude >= 1e6) {
    return `${trim(value / 1e6)}M`;
  }
  if (magnitude >= 1e4) {
    return `${trim(value / 1e3)}k`;
  }
  return trim(value);
}

function trim(value: number): string {
  return String(Number(value.toPrecision(4)));
}
