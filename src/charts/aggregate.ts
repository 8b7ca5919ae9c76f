import { prepareSeries } from './series';
import type { IChartSeries, XAxisKind } from './types';

/** How the spread of a group of runs is drawn around its mean. */
export type BandKind = 'minmax' | 'std' | 'none';

/**
 * One line for a group of series (e.g. the same config over several seeds):
 * the mean at each x, with a min-max or a mean ± standard deviation band.
 *
 * Series rarely share their x exactly (wall-clock times never do), so each
 * series is interpolated linearly at every x of the union, inside its own
 * range only; an x that no series covers with a finite value is left out.
 * The returned x is in the axis' own units (relative x starts at 0), which the
 * chart converts again without change.
 */
export function aggregateSeries(
  members: readonly IChartSeries[],
  label: string,
  xAxis: XAxisKind,
  band: BandKind = 'minmax',
  color?: string
): IChartSeries {
  const prepared = members
    .map(member => prepareSeries(member, xAxis))
    .map(({ x, y }) => finitePoints(x, y))
    .filter(points => points.x.length > 0);
  const union = Array.from(new Set(prepared.flatMap(p => p.x))).sort(
    (a, b) => a - b
  );
  const x: number[] = [];
  const y: (number | null)[] = [];
  const min: (number | null)[] = [];
  const max: (number | null)[] = [];
  const cursors = prepared.map(() => 0);
  for (const at of union) {
    const values: number[] = [];
    prepared.forEach((points, index) => {
      const value = interpolateAt(points, at, cursors, index);
      if (value !== null) {
        values.push(value);
      }
    });
    if (values.length === 0) {
      continue;
    }
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    x.push(at);
    y.push(mean);
    if (band === 'minmax') {
      min.push(Math.min(...values));
      max.push(Math.max(...values));
    } else if (band === 'std') {
      const variance =
        values.reduce((sum, v) => sum + (v - mean) * (v - mean), 0) /
        values.length;
      const std = Math.sqrt(variance);
      min.push(mean - std);
      max.push(mean + std);
    }
  }
  const result: IChartSeries = { label, x, y };
  if (band !== 'none') {
    result.min = min;
    result.max = max;
  }
  if (color) {
    result.color = color;
  }
  return result;
}

function finitePoints(
  x: number[],
  y: (number | null)[]
): { x: number[]; y: number[] } {
  const out = { x: [] as number[], y: [] as number[] };
  for (let i = 0; i < x.length; i++) {
    const value = y[i];
    if (value !== null && Number.isFinite(value)) {
      // A repeated x keeps its last value, like the chart does.
      if (out.x.length > 0 && out.x[out.x.length - 1] === x[i]) {
        out.y[out.y.length - 1] = value;
      } else {
        out.x.push(x[i]);
        out.y.push(value);
      }
    }
  }
  return out;
}

/**
 * The series' value at `at`, interpolated between its neighbours, or `null`
 * outside its range. `cursors[index]` remembers where the previous (smaller)
 * `at` was found, so a pass over a sorted union stays linear.
 */
function interpolateAt(
  points: { x: number[]; y: number[] },
  at: number,
  cursors: number[],
  index: number
): number | null {
  const { x, y } = points;
  if (at < x[0] || at > x[x.length - 1]) {
    return null;
  }
  let i = cursors[index];
  while (i < x.length - 1 && x[i + 1] <= at) {
    i++;
  }
  cursors[index] = i;
  if (x[i] === at || i === x.length - 1) {
    return y[i];
  }
  const t = (at - x[i]) / (x[i + 1] - x[i]);
  return y[i] + t * (y[i + 1] - y[i]);
}
