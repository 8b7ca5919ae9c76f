import { Dialog, ReactWidget, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ApiError } from '../request';
import type { IModelVersion, RegistryApi } from './registry-api';

/** The name a new model gets by default: the artifact folder's name. */
export function suggestModelName(artifactPath: string): string {
  const parts = artifactPath.split('/').filter(Boolean);
  const last = parts[parts.length - 1] ?? 'model';
  return last.replace(/\.[^.]+$/, '') || 'model';
}

/** The source of a version registered from a run's artifact. */
export function runArtifactSource(runId: string, artifactPath: string): string {
  return `runs:/${runId}/${artifactPath.replace(/^\/+/, '')}`;
}

class ModelNameBody extends ReactWidget {
  constructor(
    private readonly _names: string[],
    private _value: string,
    private readonly _source: string,
    private readonly _trans: TranslationBundle
  ) {
    super();
    this.addClass('mlops-RegisterDialog');
  }

  getValue(): string {
    return this._value.trim();
  }

  protected render(): JSX.Element {
    const trans = this._trans;
    return (
      <div>
        <p className="mlops-RegisterDialog-source">
          {trans.__('Source: %1', this._source)}
        </p>
        <label>
          {trans.__('Model name (a new or an existing model)')}
          <input
            className="jp-mod-styled mlops-RegisterDialog-name"
            list="mlops-register-models"
            defaultValue={this._value}
            autoFocus
            onChange={event => {
              this._value = event.target.value;
            }}
          />
        </label>
        <datalist id="mlops-register-models">
          {this._names.map(name => (
            <option key={name} value={name} />
          ))}
        </datalist>
      </div>
    );
  }
}

/**
 * Register a run's artifact as a new version of a model: one dialog with
 * the name filled in (the artifact's name, or the model chosen last), then
 * Register. The model is created when it does not exist yet.
 *
 * @returns the new version, or `null` when the user cancelled.
 * @throws {ApiError} from the server (shown by the caller).
 */
export async function registerModelFromRun(
  registry: RegistryApi,
  runId: string,
  artifactPath: string,
  trans: TranslationBundle
): Promise<IModelVersion | null> {
  const source = runArtifactSource(runId, artifactPath);
  let names: string[] = [];
  try {
    names = (await registry.searchModels({ maxResults: 1000 })).items.map(
      m => m.name
    );
  } catch {
    // Without the list, the user types the name; registering still works.
  }
  const body = new ModelNameBody(
    names,
    suggestModelName(artifactPath),
    source,
    trans
  );
  const answer = await showDialog({
    title: trans.__('Register model'),
    body,
    buttons: [
      Dialog.cancelButton(),
      Dialog.okButton({ label: trans.__('Register') })
    ],
    focusNodeSelector: 'input'
  });
  const name = body.getValue();
  if (!answer.button.accept || !name) {
    return null;
  }
  if (!names.includes(name)) {
    try {
      await registry.createModel(name);
    } catch (error) {
      // Someone (or an earlier try) created it meanwhile: register into it.
      if (!(error instanceof ApiError && error.response.status === 409)) {
        throw error;
      }
    }
  }
  return registry.createVersion(name, source, { runId });
}
