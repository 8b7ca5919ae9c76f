import { seriesColor } from './palette';
import type { IChartSeries } from './types';

/** A metric value a chart would draw as a lone point. */
export interface ISingleValue {
  label: string;
  value: number;
  color: string;
}

function drawable(y: number | null): y is number {
  return y !== null && Number.isFinite(y);
}

/**
 * The values of series that each hold one drawable point (a final accuracy,
 * a test score), or `null` when some series has two or more points (then a
 * line chart says more) or when no series has any. A series without a point
 * is left out.
 */
export function singleValues(
  series: readonly IChartSeries[]
): ISingleValue[] | null {
  const values: ISingleValue[] = [];
  for (const [index, s] of series.entries()) {
    const points = s.y.filter(drawable);
    if (points.length > 1) {
      return null;
    }
    if (points.length === 1) {
      values.push({
        label: s.label,
        value: points[0],
        color: s.color ?? seriesColor(index)
      });
    }
  }
  return values.length > 0 ? values : null;
}

/**
 * The width of each value's bar as a fraction of the longest, measured from
 * zero (negative values draw their magnitude).
 */
export function barFractions(values: readonly ISingleValue[]): number[] {
  const longest = Math.max(...values.map(v => Math.abs(v.value)));
  return values.map(v => (longest > 0 ? Math.abs(v.value) / longest : 0));
}
