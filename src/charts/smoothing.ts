/**
 * Exponential moving average, debiased the way TensorBoard does it so that the
 * first values are not pulled towards zero.
 *
 * Values a chart cannot draw (`null`, NaN, infinities) come back as `null` and
 * do not poison the average: the value after a gap continues from the last
 * finite one. With weight 0 the values come back unchanged.
 *
 * @param values The series, in x order.
 * @param weight 0 returns the values unchanged, 0.99 smooths the most; clamped
 *   to [0, 0.999].
 */
export function emaSmooth(
  values: readonly (number | null)[],
  weight: number
): (number | null)[] {
  const w = Number.isFinite(weight) ? Math.min(0.999, Math.max(0, weight)) : 0;
  if (w === 0) {
    return values.slice();
  }
  const out: (number | null)[] = new Array(values.length);
  let last = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || !Number.isFinite(value)) {
      out[i] = null;
      continue;
    }
    last = last * w + (1 - w) * value;
    count += 1;
    out[i] = last / (1 - Math.pow(w, count));
  }
  return out;
}
