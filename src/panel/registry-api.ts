import { fetchAPI } from '../request';
import {
  IPage,
  pageOf,
  RequestBody,
  RestClient,
  Schemas
} from '../rest-client';

/** A model version (see the registry's REST API). Times are ms since the epoch. */
export type IModelVersion = Schemas['ModelVersion'];

/** A registered model. `aliases` maps each alias to a version. */
export type IRegisteredModel = Schemas['RegisteredModel'];

/**
 * Where a model URI's files are: the artifact-store folder, the run they came
 * from, and the registered version or logged model the URI named.
 */
export type IModelLocation = Schemas['ModelLocation'];

/** How to ask for one page of a search. */
export interface ISearchOptions {
  filter?: string;
  maxResults?: number;
  pageToken?: string;
}

function searchQuery(options: ISearchOptions): {
  filter?: string;
  max_results?: number;
  page_token?: string;
} {
  return {
    filter: options.filter || undefined,
    max_results: options.maxResults,
    page_token: options.pageToken
  };
}

/**
 * Typed client for the model-registry endpoints of the native REST API
 * (`mlops/api/registered-models...`). Errors propagate as `ApiError`.
 */
export class RegistryApi extends RestClient {
  async searchModels(
    options: ISearchOptions = {}
  ): Promise<IPage<IRegisteredModel>> {
    const body = await this.call('searchRegisteredModels', {
      query: searchQuery(options)
    });
    return pageOf(body.registered_models, body.next_page_token);
  }

  async getModel(name: string): Promise<IRegisteredModel> {
    const body = await this.call('getRegisteredModel', { path: { name } });
    return body.registered_model;
  }

  async createModel(
    name: string,
    options: Omit<RequestBody<'createRegisteredModel'>, 'name'> = {}
  ): Promise<IRegisteredModel> {
    const answer = await this.call('createRegisteredModel', {
      body: { ...options, name }
    });
    return answer.registered_model;
  }

  /** Rename (`changes.name`) and/or re-describe a model. */
  async updateModel(
    name: string,
    changes: RequestBody<'updateRegisteredModel'>
  ): Promise<IRegisteredModel> {
    const body = await this.call('updateRegisteredModel', {
      path: { name },
      body: changes
    });
    return body.registered_model;
  }

  async deleteModel(name: string): Promise<void> {
    await this.call('deleteRegisteredModel', { path: { name } });
  }

  async listVersions(
    name: string,
    options: { maxResults?: number; pageToken?: string } = {}
  ): Promise<IPage<IModelVersion>> {
    const body = await this.call('listModelVersions', {
      path: { name },
      query: searchQuery(options)
    });
    return pageOf(body.model_versions, body.next_page_token);
  }

  /** Versions of any model matching `filter`, e.g. `model_id IN ('m-...')`. */
  async searchVersions(
    options: ISearchOptions = {}
  ): Promise<IPage<IModelVersion>> {
    const body = await this.call('searchModelVersions', {
      query: searchQuery(options)
    });
    return pageOf(body.model_versions, body.next_page_token);
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
    const body = await this.call('createModelVersion', {
      path: { name },
      body: {
        source,
        run_id: options.runId,
        description: options.description,
        tags: options.tags
      }
    });
    return body.model_version;
  }

  async updateVersion(
    name: string,
    version: string,
    changes: RequestBody<'updateModelVersion'>
  ): Promise<IModelVersion> {
    const body = await this.call('updateModelVersion', {
      path: { name, version },
      body: changes
    });
    return body.model_version;
  }

  async deleteVersion(name: string, version: string): Promise<void> {
    await this.call('deleteModelVersion', { path: { name, version } });
  }

  /** Point `alias` at `version` (moving it if it pointed elsewhere). */
  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.call('setRegisteredModelAlias', {
      path: { name, alias },
      body: { version }
    });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.call('deleteRegisteredModelAlias', { path: { name, alias } });
  }

  async setModelTag(name: string, key: string, value: string): Promise<void> {
    await this.call('setRegisteredModelTag', {
      path: { name, key },
      body: { value }
    });
  }

  async deleteModelTag(name: string, key: string): Promise<void> {
    await this.call('deleteRegisteredModelTag', { path: { name, key } });
  }

  async setVersionTag(
    name: string,
    version: string,
    key: string,
    value: string
  ): Promise<void> {
    await this.call('setModelVersionTag', {
      path: { name, version, key },
      body: { value }
    });
  }

  async deleteVersionTag(
    name: string,
    version: string,
    key: string
  ): Promise<void> {
    await this.call('deleteModelVersionTag', { path: { name, version, key } });
  }

  /** Where the files of a model URI (e.g. `models:/churn/3`) are. */
  async locateModel(uri: string): Promise<IModelLocation> {
    return this.call('resolveModelUri', { query: { uri } });
  }

  /**
   * One file of a logged model (MLflow 3), e.g. its `MLmodel`, as text.
   *
   * @throws {ApiError} with the server's message when the answer is an error.
   */
  async fetchLoggedModelText(modelId: string, path: string): Promise<string> {
    const response = await fetchAPI(
      this.url('downloadLoggedModelArtifact', { model_id: modelId, path }),
      { method: 'GET' },
      this.serverSettings
    );
    return response.text();
  }
}
