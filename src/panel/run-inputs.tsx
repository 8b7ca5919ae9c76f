import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IDataset, ILoggedModelRef, IRun } from '../api';
import type { IModelVersion } from './registry-api';
import { TableSection } from '../components/table-section';
import { RegisteredVersions } from './registered-versions';

/** Digits of a digest shown in the table (the whole digest is its tooltip). */
export const SHORT_DIGEST = 8;

/** Members of a JSON source that say where the data is, most telling first. */
const SOURCE_MEMBERS = ['uri', 'url', 'path', 'table_name', 'path_or_name'];

/**
 * Where a dataset came from, readably: MLflow keeps a JSON object in
 * `source` (`{"uri": "s3://bucket/train.csv"}`); its location is shown, else
 * the text as it is, else the source type (`code`: made in code).
 */
export function datasetSource(dataset: IDataset): string {
  const text = dataset.source.trim();
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      for (const member of SOURCE_MEMBERS) {
        const value = parsed[member];
        if (typeof value === 'string' && value) {
          return value;
        }
      }
    } catch {
      // Not JSON after all: shown as it is.
    }
    if (text === '{}') {
      return dataset.source_type;
    }
  }
  return text || dataset.source_type;
}

/** The registered versions of each logged model, looked up by model id. */
export function registrationsByModel(
  versions: readonly IModelVersion[]
): Record<string, IModelVersion[]> {
  const found: Record<string, IModelVersion[]> = {};
  for (const version of versions) {
    if (version.model_id) {
      (found[version.model_id] ??= []).push(version);
    }
  }
  return found;
}

/** The logged model ids a run used or produced, each once. */
export function runModelIds(run: IRun): string[] {
  const models = [
    ...(run.inputs?.models ?? []),
    ...(run.outputs?.models ?? [])
  ];
  return [...new Set(models.map(m => m.model_id))];
}

export interface IRunInputsProps {
  run: IRun;
  /** Registered versions of the run's logged models, by model id. */
  registrations: Record<string, IModelVersion[]>;
  /** Open the registry at a registered model. */
  onOpenRegistry: (model: string) => void;
  trans: TranslationBundle;
}

/**
 * What a run used and made: its datasets (name, digest, context, source) and
 * the logged models it used or produced, with their registered versions.
 */
export function RunInputs(props: IRunInputsProps): JSX.Element {
  const { run, trans } = props;
  const datasets = run.inputs?.datasets ?? [];
  const models: [ILoggedModelRef, string][] = [
    ...(run.inputs?.models ?? []).map(
      m => [m, trans.__('used')] as [ILoggedModelRef, string]
    ),
    ...(run.outputs?.models ?? []).map(
      m => [m, trans.__('produced')] as [ILoggedModelRef, string]
    )
  ];
  return (
    <div className="mlops-RunInputs">
      <TableSection
        title={trans.__('Datasets')}
        emptyText={trans.__('No datasets logged.')}
        items={datasets}
        tableClassName="mlops-KeyValueTable mlops-RunInputs-datasets"
        headers={[
          trans.__('Name'),
          trans.__('Digest'),
          trans.__('Context'),
          trans.__('Source')
        ]}
        row={({ dataset, context }) => (
          <tr
            key={`${dataset.name}\u0000${dataset.digest}`}
            data-dataset={dataset.name}
          >
            <th scope="row">{dataset.name}</th>
            <td className="mlops-Code" title={dataset.digest}>
              {dataset.digest.slice(0, SHORT_DIGEST)}
            </td>
            <td>{context ?? '—'}</td>
            <td title={`${dataset.source_type}: ${dataset.source}`}>
              {datasetSource(dataset)}
            </td>
          </tr>
        )}
      />
      <TableSection
        title={trans.__('Models')}
        emptyText={trans.__('No models used or produced.')}
        items={models}
        tableClassName="mlops-KeyValueTable mlops-RunInputs-models"
        headers={[
          trans.__('Model'),
          trans.__('Role'),
          trans.__('Registered as')
        ]}
        row={([model, role]) => {
          const versions = props.registrations[model.model_id] ?? [];
          return (
            <tr
              key={`${role}\u0000${model.model_id}`}
              data-model-id={model.model_id}
            >
              <th scope="row" title={model.model_id}>
                {model.name ?? model.model_id}
              </th>
              <td>{role}</td>
              <td>
                <RegisteredVersions
                  versions={versions}
                  onOpenRegistry={props.onOpenRegistry}
                  trans={trans}
                />
              </td>
            </tr>
          );
        }}
      />
    </div>
  );
}
