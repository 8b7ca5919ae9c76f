import { ISignal, Signal } from '@lumino/signaling';

import type { IRun, TrackingApi, ViewType } from '../api';
import { isActiveStatus } from '../format';
import { describeError, IErrorState } from '../model';
import { ApiError } from '../request';

/** The first page is small, so the first rows show fast. */
export const FIRST_PAGE = 200;
/** Later pages are as big as the server allows. */
export const NEXT_PAGE = 1000;
/** Live updates re-read at most this many running runs per poll. */
export const LIVE_LIMIT = 200;
export const DEFAULT_ORDER = 'attributes.start_time DESC';

export interface IRunsQueryState {
  experimentIds: string[];
  filter: string;
  orderBy: string | null;
  view: ViewType;
  runs: IRun[];
  /** Runs matching over all pages; `null` until counted. */
  total: number | null;
  nextPageToken: string | null;
  loading: boolean;
  /** A bad filter, in the server's words (shown under the filter box). */
  filterError: string | null;
  error: IErrorState | null;
  updatedAt: number | null;
}

/**
 * The runs of the runs table: a search on the server (filter, order), paged
 * as the user scrolls, with live updates of running runs and new runs.
 */
export class RunsQuery {
  constructor(private readonly _api: TrackingApi) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get state(): IRunsQueryState {
    return this._state;
  }

  /** Change what is searched and load the first page. */
  async search(
    changes: Partial<
      Pick<IRunsQueryState, 'experimentIds' | 'filter' | 'orderBy' | 'view'>
    >
  ): Promise<void> {
    this._update({ ...changes });
    await this.reload();
  }

  /** Load the first page again (and count the matches). */
  async reload(): Promise<void> {
    const generation = ++this._generation;
    const { experimentIds, filter, view } = this._state;
    this._update({ loading: true });
    try {
      const [page, total] = await Promise.all([
        this._api.searchRuns({
          experimentIds,
          filter: filter || undefined,
          orderBy: this._orderBy(),
          view,
          maxResults: FIRST_PAGE
        }),
        this._api.countRuns({
          experimentIds,
          filter: filter || undefined,
          view
        })
      ]);
      if (generation !== this._generation) {
        return;
      }
      this._update({
        runs: page.items,
        nextPageToken: page.nextPageToken,
        total,
        loading: false,
        filterError: null,
        error: null,
        updatedAt: Date.now()
      });
    } catch (error) {
      if (generation !== this._generation) {
        return;
      }
      if (error instanceof ApiError && error.field === 'filter') {
        this._update({ loading: false, filterError: error.message });
      } else {
        this._update({ loading: false, error: describeError(error) });
      }
    }
  }

  /** Load the next page, if there is one and none is loading. */
  async loadMore(): Promise<void> {
    const token = this._state.nextPageToken;
    if (!token || this._loadingMore) {
      return;
    }
    this._loadingMore = true;
    const generation = this._generation;
    const { experimentIds, filter, view } = this._state;
    try {
      const page = await this._api.searchRuns({
        experimentIds,
        filter: filter || undefined,
        orderBy: this._orderBy(),
        view,
        maxResults: NEXT_PAGE,
        pageToken: token
      });
      if (generation !== this._generation) {
        return;
      }
      this._update({
        runs: this._state.runs.concat(page.items),
        nextPageToken: page.nextPageToken
      });
    } catch (error) {
      if (generation === this._generation) {
        this._update({ error: describeError(error) });
      }
    } finally {
      this._loadingMore = false;
    }
  }

  /**
   * Live update: re-read the loaded runs that are still running, and, in the
   * default newest-first order, add runs started since the newest one shown.
   */
  async poll(): Promise<void> {
    const generation = this._generation;
    const state = this._state;
    if (state.loading || state.filterError) {
      return;
    }
    const running = state.runs
      .filter(run => isActiveStatus(run.info.status))
      .slice(0, LIVE_LIMIT)
      .map(run => run.info.run_id);
    try {
      const updates: IRun[] = [];
      if (running.length > 0) {
        const page = await this._api.searchRuns({
          experimentIds: state.experimentIds,
          filter: `attributes.run_id IN (${running.map(id => `'${id}'`).join(', ')})`,
          view: 'ALL',
          maxResults: LIVE_LIMIT
        });
        updates.push(...page.items);
      }
      let fresh: IRun[] = [];
      const newest = state.runs[0]?.info.start_time;
      if (this._orderBy()[0] === DEFAULT_ORDER && newest !== undefined) {
        const since = `attributes.start_time > ${newest}`;
        const page = await this._api.searchRuns({
          experimentIds: state.experimentIds,
          filter: state.filter ? `(${state.filter}) AND ${since}` : since,
          orderBy: [DEFAULT_ORDER],
          view: state.view,
          maxResults: FIRST_PAGE
        });
        fresh = page.items;
      }
      if (generation !== this._generation) {
        return;
      }
      this._update({
        runs: mergeRuns(this._state.runs, updates, fresh),
        total:
          this._state.total === null ? null : this._state.total + fresh.length,
        updatedAt: Date.now()
      });
    } catch (error) {
      if (generation === this._generation) {
        this._update({ error: describeError(error) });
      }
    }
  }

  /** Forget runs (after deleting them) without reloading. */
  removeRuns(runIds: readonly string[]): void {
    const gone = new Set(runIds);
    const runs = this._state.runs.filter(run => !gone.has(run.info.run_id));
    const removed = this._state.runs.length - runs.length;
    this._update({
      runs,
      total:
        this._state.total === null
          ? null
          : Math.max(0, this._state.total - removed)
    });
  }

  /** Replace loaded runs by newer copies (after tagging them). */
  replaceRuns(updated: readonly IRun[]): void {
    this._update({ runs: mergeRuns(this._state.runs, updated, []) });
  }

  private _orderBy(): string[] {
    const order = this._state.orderBy;
    if (!order || order.startsWith('attributes.start_time ')) {
      return [order ?? DEFAULT_ORDER];
    }
    // Newest first among equal values (and among runs without the key).
    return [order, DEFAULT_ORDER];
  }

  private _update(changes: Partial<IRunsQueryState>): void {
    this._state = { ...this._state, ...changes };
    this._changed.emit();
  }

  private _state: IRunsQueryState = {
    experimentIds: [],
    filter: '',
    orderBy: null,
    view: 'ACTIVE_ONLY',
    runs: [],
    total: null,
    nextPageToken: null,
    loading: false,
    filterError: null,
    error: null,
    updatedAt: null
  };
  private _generation = 0;
  private _loadingMore = false;
  private _changed = new Signal<this, void>(this);
}

/**
 * The loaded runs with `updates` applied in place (same position, newer
 * copy; a run deleted meanwhile goes away) and `fresh` runs put first.
 */
export function mergeRuns(
  runs: readonly IRun[],
  updates: readonly IRun[],
  fresh: readonly IRun[]
): IRun[] {
  const byId = new Map(updates.map(run => [run.info.run_id, run]));
  const known = new Set(runs.map(run => run.info.run_id));
  const merged = runs
    .map(run => byId.get(run.info.run_id) ?? run)
    .filter(run => run.info.lifecycle_stage !== 'deleted');
  const added = fresh.filter(run => !known.has(run.info.run_id));
  return added.length > 0 ? [...added, ...merged] : merged;
}
