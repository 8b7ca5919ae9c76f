import type { IMetricHistory, TrackingApi } from '../api';

/** Widths are rounded up to this many pixels, so small resizes reuse data. */
export const WIDTH_STEP = 100;
export const MIN_POINTS = 100;
export const MAX_POINTS = 5000;

/**
 * How many points to ask the server for, for a chart this wide: about one
 * per pixel (the server keeps each bucket's min and max, so nothing a pixel
 * could show is lost).
 */
export function pointsForWidth(width: number): number {
  const rounded = Math.ceil(Math.max(width, 1) / WIDTH_STEP) * WIDTH_STEP;
  return Math.min(MAX_POINTS, Math.max(MIN_POINTS, rounded));
}

/** A history fetched at up to this many times the points asked for is reused. */
const REUSE_FACTOR = 4;

/**
 * Metric histories by run, key and resolution, shared by the charts of a
 * view; `invalidate(runId)` drops a running run's entries so they refetch.
 * A history already fetched at a somewhat higher resolution serves a request
 * for a lower one (a chart can draw more points than it has pixels), which
 * lets a view prefetch histories before it knows its charts' exact widths.
 */
export class HistoryCache {
  constructor(private readonly _api: TrackingApi) {}

  get(runId: string, key: string, maxPoints: number): Promise<IMetricHistory> {
    const prefix = `${runId}\u0000${key}\u0000`;
    const id = `${prefix}${maxPoints}`;
    let entry = this._entries.get(id);
    if (!entry) {
      for (const [other, promise] of this._entries) {
        const points = Number(other.slice(prefix.length));
        if (
          other.startsWith(prefix) &&
          points >= maxPoints &&
          points <= maxPoints * REUSE_FACTOR
        ) {
          return promise;
        }
      }
    }
    if (!entry) {
      entry = this._api.getMetricHistory(runId, key, maxPoints);
      // A failed request is not remembered: the next draw asks again.
      entry.catch(() => this._entries.delete(id));
      this._entries.set(id, entry);
    }
    return entry;
  }

  invalidate(runId: string): void {
    for (const id of [...this._entries.keys()]) {
      if (id.startsWith(`${runId}\u0000`)) {
        this._entries.delete(id);
      }
    }
  }

  private _entries = new Map<string, Promise<IMetricHistory>>();
}
