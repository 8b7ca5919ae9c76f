import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { IExperiment, IRun, TrackingApi } from './api';
import { ApiError } from './request';
import { DEFAULT_SETTINGS, IMlopsSettings } from './settings';

/** The sidebar lists this many experiments, newest first. */
export const EXPERIMENT_LIMIT = 100;
/** Run counts cost one request per experiment: only the newest this many get one. */
export const RUN_COUNT_LIMIT = 10;
/** Most recent runs shown for the selected experiment. */
export const RUN_LIMIT = 25;

/**
 * An error to show, with what the server said about it.
 */
export interface IErrorState {
  message: string;
  /** The server's error code (`RESOURCE_DOES_NOT_EXIST`, ...), if it sent one. */
  code: string | null;
}

/**
 * What the sidebar shows. `null` lists have not loaded yet.
 */
export interface ISidebarState {
  experiments: IExperiment[] | null;
  /** More experiments exist than the sidebar lists. */
  moreExperiments: boolean;
  /** Runs per experiment id; empty when the list is too long to count cheaply. */
  runCounts: ReadonlyMap<string, number>;
  selectedExperimentId: string | null;
  runs: IRun[] | null;
  loading: boolean;
  error: IErrorState | null;
  /** When the data was last loaded, in ms since the epoch. */
  updatedAt: number | null;
}

/**
 * Turn anything a request threw into a message for the user.
 */
export function describeError(error: unknown): IErrorState {
  if (error instanceof ApiError) {
    return { message: error.message, code: error.code };
  }
  if (error instanceof ServerConnection.NetworkError) {
    return {
      message: `Cannot reach the Jupyter server: ${error.message}`,
      code: null
    };
  }
  if (error instanceof Error) {
    return { message: error.message || error.name, code: null };
  }
  return { message: String(error), code: null };
}

/**
 * The sidebar's data: experiments, the selected experiment's recent runs, and
 * the last error. Refreshes on a timer while the sidebar is visible.
 */
export class SidebarModel {
  constructor(
    private readonly _api: TrackingApi,
    settings: IMlopsSettings = DEFAULT_SETTINGS
  ) {
    this._settings = settings;
  }

  /** Emitted whenever `state` or `settings` change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get state(): ISidebarState {
    return this._state;
  }

  get settings(): IMlopsSettings {
    return this._settings;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Apply new settings: restarts the refresh timer with the new interval.
   */
  setSettings(settings: IMlopsSettings): void {
    const defaultChanged =
      settings.defaultExperiment !== this._settings.defaultExperiment;
    this._settings = settings;
    if (defaultChanged && settings.defaultExperiment) {
      const wanted = this._findDefault(this._state.experiments ?? []);
      if (wanted) {
        void this.select(wanted.experiment_id);
      }
    }
    this._schedule();
    this._changed.emit();
  }

  /**
   * Tell the model whether anyone sees it: it refreshes only while active,
   * and at once when it becomes active.
   */
  setActive(active: boolean): void {
    if (active === this._active) {
      return;
    }
    this._active = active;
    if (active) {
      void this.refresh();
    } else {
      this._cancelTimer();
    }
  }

  /**
   * Reload experiments, their run counts and the selected experiment's runs.
   */
  async refresh(): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    this._cancelTimer();
    const generation = ++this._generation;
    const runsGeneration = ++this._runsGeneration;
    this._update({ loading: true });
    try {
      const page = await this._api.listExperiments({
        maxResults: EXPERIMENT_LIMIT
      });
      const experiments = page.items;
      const selected = this._chooseSelection(experiments);
      const [runCounts, runs] = await Promise.all([
        this._countRuns(experiments),
        selected ? this._loadRuns(selected) : Promise.resolve([])
      ]);
      if (generation !== this._generation) {
        return;
      }
      this._update({
        experiments,
        moreExperiments: page.nextPageToken !== null,
        runCounts,
        ...(runsGeneration === this._runsGeneration
          ? { selectedExperimentId: selected, runs }
          : {}),
        loading: false,
        error: null,
        updatedAt: Date.now()
      });
    } catch (error) {
      if (generation === this._generation) {
        this._update({ loading: false, error: describeError(error) });
      }
    } finally {
      if (generation === this._generation) {
        this._schedule();
      }
    }
  }

  /**
   * Show the runs of another experiment.
   */
  async select(experimentId: string): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    const generation = ++this._runsGeneration;
    this._update({ selectedExperimentId: experimentId, runs: null });
    try {
      const runs = await this._loadRuns(experimentId);
      if (generation === this._runsGeneration) {
        this._update({ runs, error: null });
      }
    } catch (error) {
      if (generation === this._runsGeneration) {
        this._update({ runs: [], error: describeError(error) });
      }
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._cancelTimer();
    Signal.clearData(this);
  }

  private _chooseSelection(experiments: IExperiment[]): string | null {
    const current = this._state.selectedExperimentId;
    if (current && experiments.some(e => e.experiment_id === current)) {
      return current;
    }
    const wanted = this._findDefault(experiments) ?? experiments[0];
    return wanted ? wanted.experiment_id : null;
  }

  private _findDefault(experiments: IExperiment[]): IExperiment | undefined {
    const wanted = this._settings.defaultExperiment;
    if (!wanted) {
      return undefined;
    }
    return (
      experiments.find(e => e.name === wanted) ??
      experiments.find(e => e.experiment_id === wanted)
    );
  }

  private async _countRuns(
    experiments: IExperiment[]
  ): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    // The list is newest first: the experiments people are working on get a count.
    const counted = experiments.slice(0, RUN_COUNT_LIMIT);
    const values = await Promise.all(
      counted.map(e =>
        this._api.countRuns({ experimentIds: [e.experiment_id] })
      )
    );
    counted.forEach((e, index) => counts.set(e.experiment_id, values[index]));
    return counts;
  }

  private async _loadRuns(experimentId: string): Promise<IRun[]> {
    const page = await this._api.searchRuns({
      experimentIds: [experimentId],
      maxResults: RUN_LIMIT
    });
    return page.items;
  }

  private _schedule(): void {
    this._cancelTimer();
    const seconds = this._settings.refreshInterval;
    if (!this._active || this._isDisposed || seconds <= 0) {
      return;
    }
    this._timer = setTimeout(() => {
      this._timer = null;
      void this.refresh();
    }, seconds * 1000);
  }

  private _cancelTimer(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private _update(changes: Partial<ISidebarState>): void {
    if (this._isDisposed) {
      return;
    }
    this._state = { ...this._state, ...changes };
    this._changed.emit();
  }

  private _settings: IMlopsSettings;
  private _state: ISidebarState = {
    experiments: null,
    moreExperiments: false,
    runCounts: new Map(),
    selectedExperimentId: null,
    runs: null,
    loading: false,
    error: null,
    updatedAt: null
  };
  private _active = false;
  private _isDisposed = false;
  private _generation = 0;
  private _runsGeneration = 0;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _changed = new Signal<this, void>(this);
}
