import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import { ISignal, Signal } from '@lumino/signaling';

import type { TrackingApi } from '../api';
import { DEFAULT_SETTINGS, IMlopsSettings, settingsFrom } from '../settings';
import type { RegistryApi } from './registry-api';

/**
 * The user's settings for the panel, kept current, and saved back when a
 * view changes one (the column picker, the chart axis).
 */
export class PanelSettings {
  get changed(): ISignal<this, IMlopsSettings> {
    return this._changed;
  }

  get current(): IMlopsSettings {
    return this._current;
  }

  /** Follow a loaded settings object from the registry. */
  connect(settings: ISettingRegistry.ISettings): void {
    this._settings = settings;
    const read = () => {
      this._current = settingsFrom(settings);
      this._changed.emit(this._current);
    };
    settings.changed.connect(read);
    read();
  }

  /**
   * Save a setting. Without a settings registry (or before it loaded) the
   * value still applies for this session.
   */
  async save<K extends keyof IMlopsSettings>(
    key: K,
    value: IMlopsSettings[K]
  ): Promise<void> {
    if (this._settings) {
      await this._settings.set(key, value as any);
    } else {
      this._current = { ...this._current, [key]: value };
      this._changed.emit(this._current);
    }
  }

  private _settings: ISettingRegistry.ISettings | null = null;
  private _current: IMlopsSettings = DEFAULT_SETTINGS;
  private _changed = new Signal<this, IMlopsSettings>(this);
}

/**
 * What every panel view needs: the REST clients, the app's commands (to open
 * other views and files), the markdown renderer, settings and translations.
 */
export interface IPanelContext {
  api: TrackingApi;
  registry: RegistryApi;
  commands: CommandRegistry;
  rendermime: IRenderMimeRegistry | null;
  settings: PanelSettings;
  trans: TranslationBundle;
}
