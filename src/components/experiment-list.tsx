import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IExperiment } from '../api';

export interface IExperimentListProps {
  experiments: IExperiment[];
  runCounts: ReadonlyMap<string, number>;
  selectedId: string | null;
  more: boolean;
  onSelect: (experimentId: string) => void;
  trans: TranslationBundle;
}

/**
 * The experiments, newest first; choosing one shows its runs.
 */
export function ExperimentList(props: IExperimentListProps): JSX.Element {
  const { experiments, runCounts, selectedId, onSelect, trans } = props;
  if (experiments.length === 0) {
    return (
      <div className="mlops-EmptyState">
        <p>{trans.__('No experiments yet. Log one from a notebook:')}</p>
        <pre className="mlops-EmptyState-code">
          {
            'import jupyter_mlops as mlops\n\nwith mlops.start_run(experiment="demo"):\n    mlops.log_metric("loss", 0.3)'
          }
        </pre>
      </div>
    );
  }
  return (
    <ul
      className="mlops-ExperimentList"
      role="listbox"
      aria-label={trans.__('Experiments')}
    >
      {experiments.map(experiment => {
        const id = experiment.experiment_id;
        const selected = id === selectedId;
        const count = runCounts.get(id);
        return (
          <li
            key={id}
            role="option"
            aria-selected={selected}
            tabIndex={0}
            className={`mlops-ExperimentList-item${selected ? ' jp-mod-selected' : ''}`}
            title={experiment.description || experiment.name}
            data-experiment-id={id}
            onClick={() => onSelect(id)}
            onKeyDown={event => {
              if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                onSelect(id);
              }
            }}
          >
            <span className="mlops-ExperimentList-name">{experiment.name}</span>
            <span className="mlops-ExperimentList-meta">
              {experiment.owner && (
                <span className="mlops-ExperimentList-owner">
                  {experiment.owner}
                </span>
              )}
              {count !== undefined && (
                <span className="mlops-ExperimentList-count">
                  {trans._n('%1 run', '%1 runs', count)}
                </span>
              )}
            </span>
          </li>
        );
      })}
      {props.more && (
        <li className="mlops-ExperimentList-more" aria-disabled>
          {trans.__('Newest %1 shown', experiments.length)}
        </li>
      )}
    </ul>
  );
}
