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

/** Runs per request for histories of several runs (the server's limit). */
export const HISTORIES_PER_REQUEST = 100;

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
    const id = `${runId}\u0000${key}\u0000${maxPoints}`;
    let entry = this._cached(runId, key, maxPoints);
    if (!entry) {
      entry = this._api.getMetricHistory(runId, key, maxPoints);
      // A failed request is not remembered: the next draw asks again.
      entry.catch(() => this._entries.delete(id));
      this._entries.set(id, entry);
    }
    return entry;
  }

  /**
   * The histories of `key` in several runs, in their order: those not cached
   * come in one request per 100 runs rather than one per run (a compare
   * chart of 100 runs: one request instead of 100).
   */
  getMany(
    runIds: readonly string[],
    key: string,
    maxPoints: number
  ): Promise<IMetricHistory>[] {
    const cached = runIds.map(runId => this._cached(runId, key, maxPoints));
    const missing = [...new Set(runIds.filter((_, i) => !cached[i]))];
    if (missing.length === 1) {
      return runIds.map(
        (runId, i) => cached[i] ?? this.get(runId, key, maxPoints)
      );
    }
    for (let i = 0; i < missing.length; i += HISTORIES_PER_REQUEST) {
      const chunk = missing.slice(i, i + HISTORIES_PER_REQUEST);
      const all = this._api.getMetricHistories(chunk, key, maxPoints);
      chunk.forEach((runId, j) => {
        const id = `${runId}\u0000${key}\u0000${maxPoints}`;
        const entry = all.then(histories => histories[j]);
        entry.catch(() => this._entries.delete(id));
        this._entries.set(id, entry);
      });
    }
    return runIds.map(
      (runId, i) => cached[i] ?? this._cached(runId, key, maxPoints)!
    );
  }

  invalidate(runId: string): void {
    for (const id of [...this._entries.keys()]) {
      if (id.startsWith(`${runId}\u0000`)) {
        this._entries.delete(id);
      }
    }
  }

  /** An entry that serves this request: the same resolution or a bit higher. */
  private _cached(
    runId: string,
    key: string,
    maxPoints: number
  ): Promise<IMetricHistory> | undefined {
    const prefix = `${runId}\u0000${key}\u0000`;
    const entry = this._entries.get(`${prefix}${maxPoints}`);
    if (entry) {
      return entry;
    }
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
    return undefined;
  }

  private _entries = new Map<string, Promise<IMetricHistory>>();
}
