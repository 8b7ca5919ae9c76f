import type { IPage } from '../api';
import { RestClient, segment } from '../request';

/** A model version (see the registry's REST API). Times are ms since the epoch. */
export interface IModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
  user_id: string;
  current_stage: string;
  source: string;
  run_id: string | null;
  status: 'READY' | 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION';
  status_message: string;
  tags: Record<string, string>;
  aliases: string[];
  run_link: string | null;
  model_id: string | null;
  storage_location: string;
}

/** A registered model. `aliases` maps each alias to a version. */
export interface IRegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
  owner: string;
  tags: Record<string, string>;
  aliases: Record<string, string>;
  latest_versions: IModelVersion[];
}

/**
 * Typed client for the model-registry endpoints of the native REST API
 * (`mlops/api/registered-models...`). Errors propagate as `ApiError`.
 */
export class RegistryApi extends RestClient {
  async searchModels(
    options: { filter?: string; maxResults?: number; pageToken?: string } = {}
  ): Promise<IPage<IRegisteredModel>> {
    const body = await this._get<{
      registered_models: IRegisteredModel[];
      next_page_token?: string | null;
    }>('registered-models', {
      filter: options.filter || undefined,
      max_results: options.maxResults,
      page_token: options.pageToken
    });
    return {
      items: body.registered_models ?? [],
      nextPageToken: body.next_page_token ?? null
    };
  }

  async getModel(name: string): Promise<IRegisteredModel> {
    const body = await this._get<{ registered_model: IRegisteredModel }>(
      `registered-models/${segment(name)}`
    );
    return body.registered_model;
  }

  async createModel(
    name: string,
    options: { description?: string; tags?: Record<string, string> } = {}
  ): Promise<IRegisteredModel> {
    const body = await this._send<{ registered_model: IRegisteredModel }>(
      'POST',
      'registered-models',
      { name, ...options }
    );
    return body.registered_model;
  }

  async updateModel(
    name: string,
    changes: { description?: string; name?: string }
  ): Promise<IRegisteredModel> {
    const body = await this._send<{ registered_model: IRegisteredModel }>(
      'PATCH',
      `registered-models/${segment(name)}`,
      changes
    );
    return body.registered_model;
  }

  async deleteModel(name: string): Promise<void> {
    await this._send<void>('DELETE', `registered-models/${segment(name)}`);
  }

  async listVersions(
    name: string,
    options: { maxResults?: number; pageToken?: string } = {}
  ): Promise<IPage<IModelVersion>> {
    const body = await this._get<{
      model_versions: IModelVersion[];
      next_page_token?: string | null;
    }>(`registered-models/${segment(name)}/versions`, {
      max_results: options.maxResults,
      page_token: options.pageToken
    });
    return {
      items: body.model_versions ?? [],
      nextPageToken: body.next_page_token ?? null
    };
  }

  /** Versions of any model matching `filter`, e.g. `model_id IN ('m-...')`. */
  async searchVersions(
    options: { filter?: string; maxResults?: number; pageToken?: string } = {}
  ): Promise<IPage<IModelVersion>> {
    const body = await this._get<{
      model_versions: IModelVersion[];
      next_page_token?: string | null;
    }>('model-versions/search', {
      filter: options.filter || undefined,
      max_results: options.maxResults,
      page_token: options.pageToken
    });
    return {
      items: body.model_versions ?? [],
      nextPageToken: body.next_page_token ?? null
    };
  }

  /**
   * Register a version of `name` from `source` (e.g. `runs:/<run id>/model`).
   */
  async createVersion(
    name: string,
    source: string,
    options: {
      runId?: string;
      description?: string;
      tags?: Record<string, string>;
    } = {}
  ): Promise<IModelVersion> {
    const body = await this._send<{ model_version: IModelVersion }>(
      'POST',
      `registered-models/${segment(name)}/versions`,
      {
        source,
        run_id: options.runId,
        description: options.description,
        tags: options.tags
      }
    );
    return body.model_version;
  }

  async updateVersion(
    name: string,
    version: string,
    changes: { description?: string }
  ): Promise<IModelVersion> {
    const body = await this._send<{ model_version: IModelVersion }>(
      'PATCH',
      `registered-models/${segment(name)}/versions/${segment(version)}`,
      changes
    );
    return body.model_version;
  }

  async deleteVersion(name: string, version: string): Promise<void> {
    await this._send<void>(
      'DELETE',
      `registered-models/${segment(name)}/versions/${segment(version)}`
    );
  }

  /** Point `alias` at `version` (moving it if it pointed elsewhere). */
  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this._send<unknown>(
      'PUT',
      `registered-models/${segment(name)}/aliases/${segment(alias)}`,
      { version }
    );
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this._send<void>(
      'DELETE',
      `registered-models/${segment(name)}/aliases/${segment(alias)}`
    );
  }

  async setModelTag(name: string, key: string, value: string): Promise<void> {
    await this._send<unknown>(
      'PUT',
      `registered-models/${segment(name)}/tags/${segment(key)}`,
      { value }
    );
  }

  async deleteModelTag(name: string, key: string): Promise<void> {
    await this._send<void>(
      'DELETE',
      `registered-models/${segment(name)}/tags/${segment(key)}`
    );
  }

  async setVersionTag(
    name: string,
    version: string,
    key: string,
    value: string
  ): Promise<void> {
    await this._send<unknown>(
      'PUT',
      `registered-models/${segment(name)}/versions/${segment(version)}/tags/${segment(key)}`,
      { value }
    );
  }

  async deleteVersionTag(
    name: string,
    version: string,
    key: string
  ): Promise<void> {
    await this._send<void>(
      'DELETE',
      `registered-models/${segment(name)}/versions/${segment(version)}/tags/${segment(key)}`
    );
  }
}
