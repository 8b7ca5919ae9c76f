/** The share of the data's spread left free above and below the line. */
const PAD = 0.05;

/**
 * The y range of a linear metric chart, fitted to the data: its extremes plus
 * a little room, never stretched to include zero or to a default 0-100 (what
 * uPlot does for flat or near-zero data). A flat line gets room around it.
 */
export function fittedRange(
  min: number | null,
  max: number | null
): [number, number] {
  if (min === null || max === null || !isFinite(min) || !isFinite(max)) {
    return [0, 1];
  }
  const spread = max - min;
  if (spread === 0) {
    const room = Math.abs(max) * PAD || 1;
    return [min - room, max + room];
  }
  const room = spread * PAD;
  // Values that are all positive keep a positive axis (a loss never goes below 0).
  const low = min >= 0 ? Math.max(0, min - room) : min - room;
  return [low, max + room];
}
