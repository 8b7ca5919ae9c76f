import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import type { IModelVersion } from './registry-api';

export interface IVersionLineageProps {
  version: IModelVersion;
  /** The source run, once read (null when it has none or is not found). */
  run: IRun | null;
  onOpenRun: (runId: string) => void;
  trans: TranslationBundle;
}

/**
 * Where a version came from: the run that made it, the datasets that run
 * used, the logged model it was registered from, and its source URI.
 */
export function VersionLineage(props: IVersionLineageProps): JSX.Element {
  const { version: v, run, trans } = props;
  const datasets = run?.inputs.datasets ?? [];
  return (
    <table className="mlops-KeyValueTable mlops-Lineage">
      <tbody>
        <tr data-lineage="run">
          <th scope="row">{trans.__('Source run')}</th>
          <td>
            {v.run_id ? (
              <button
                type="button"
                className="mlops-LinkButton mlops-Lineage-run"
                title={trans.__('Open run %1', v.run_id)}
                onClick={() => props.onOpenRun(v.run_id!)}
              >
                {run?.info.run_name || v.run_id.slice(0, 8)}
              </button>
            ) : (
              '—'
            )}
          </td>
        </tr>
        <tr data-lineage="datasets">
          <th scope="row">{trans.__('Datasets')}</th>
          <td>
            {datasets.length === 0 ? (
              <span className="mlops-Muted">
                {trans.__('None logged by the run.')}
              </span>
            ) : (
              <ul className="mlops-Lineage-datasets">
                {datasets.map((input, index) => (
                  <li
                    key={index}
                    className="mlops-Lineage-dataset"
                    data-dataset={input.dataset.name}
                    title={input.dataset.source}
                  >
                    {input.dataset.name}{' '}
                    <span className="mlops-Muted">
                      {input.context
                        ? trans.__(
                            '%1 · digest %2',
                            input.context,
                            input.dataset.digest
                          )
                        : trans.__('digest %1', input.dataset.digest)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </td>
        </tr>
        <tr data-lineage="logged-model">
          <th scope="row">{trans.__('Logged model')}</th>
          <td className="mlops-Code mlops-Lineage-model">
            {v.model_id ?? (
              <span className="mlops-Muted">
                {trans.__('None (registered from run files)')}
              </span>
            )}
          </td>
        </tr>
        <tr data-lineage="source">
          <th scope="row">{trans.__('Source')}</th>
          <td className="mlops-Code mlops-Lineage-source">{v.source}</td>
        </tr>
      </tbody>
    </table>
  );
}
