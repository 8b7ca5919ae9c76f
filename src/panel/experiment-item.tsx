import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IExperiment } from '../api';
import { formatRelativeTime } from '../format';
import { ExperimentActions } from './experiment-actions';
import type { IExperimentCommands } from './experiment-commands';
import type { IExperimentStats } from './use-experiments';

export interface IExperimentItemProps {
  experiment: IExperiment;
  /** Its run count and last activity, once fetched. */
  stat: IExperimentStats | undefined;
  isSelected: boolean;
  deleted: boolean;
  now: number;
  onChoose: (event: React.MouseEvent | React.KeyboardEvent) => void;
  actions: IExperimentCommands;
  trans: TranslationBundle;
}

/** One experiment of the list: name, run count, last activity, links. */
export function ExperimentItem(props: IExperimentItemProps): JSX.Element {
  const { experiment, stat, isSelected, actions, trans } = props;
  const id = experiment.experiment_id;
  return (
    <li
      role="option"
      aria-selected={isSelected}
      tabIndex={0}
      data-experiment-id={id}
      className={`mlops-ExperimentsPane-item${isSelected ? ' jp-mod-selected' : ''}`}
      title={experiment.description || experiment.name}
      onClick={props.onChoose}
      onKeyDown={event => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          props.onChoose(event);
        }
      }}
    >
      <div className="mlops-ExperimentsPane-name">{experiment.name}</div>
      <div className="mlops-ExperimentsPane-meta">
        <span className="mlops-ExperimentsPane-count">
          {stat ? trans._n('%1 run', '%1 runs', stat.runs) : '…'}
        </span>
        {stat && (
          <span
            className="mlops-ExperimentsPane-activity"
            title={new Date(stat.lastActivity).toLocaleString()}
          >
            {formatRelativeTime(stat.lastActivity, props.now)}
          </span>
        )}
      </div>
      <ExperimentActions
        deleted={props.deleted}
        deletable={id !== '0'}
        onRestore={() => void actions.restore(experiment)}
        onRename={() => void actions.rename(experiment)}
        onDelete={() => void actions.remove(experiment)}
        trans={trans}
      />
    </li>
  );
}
