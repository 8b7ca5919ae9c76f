import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IExperiment } from '../api';
import { ExperimentItem } from './experiment-item';
import type { IExperimentCommands } from './experiment-commands';
import type { IExperimentStats } from './use-experiments';

export interface IExperimentsPaneListProps {
  /** The experiments; `null` while loading. */
  experiments: IExperiment[] | null;
  /** Whether there are more than were listed. */
  more: boolean;
  stats: Map<string, IExperimentStats>;
  selected: string[];
  onSelect: (experimentIds: string[]) => void;
  /** Whether these are the deleted experiments (none can be selected). */
  deleted: boolean;
  actions: IExperimentCommands;
  trans: TranslationBundle;
}

/**
 * The list of experiments: a click selects one, Ctrl/Cmd-click adds or
 * takes away one of several.
 */
export function ExperimentsPaneList(
  props: IExperimentsPaneListProps
): JSX.Element {
  const { experiments, selected, deleted, trans } = props;
  const choose = (
    id: string,
    event: React.MouseEvent | React.KeyboardEvent
  ) => {
    if (deleted) {
      return;
    }
    if (event.ctrlKey || event.metaKey) {
      props.onSelect(
        selected.includes(id)
          ? selected.filter(s => s !== id)
          : [...selected, id]
      );
    } else {
      props.onSelect([id]);
    }
  };
  if (experiments === null) {
    return (
      <div className="mlops-Placeholder">
        {trans.__('Loading experiments…')}
      </div>
    );
  }
  if (experiments.length === 0) {
    return (
      <div className="mlops-Placeholder">
        {deleted
          ? trans.__('No deleted experiments.')
          : trans.__('No experiments yet.')}
      </div>
    );
  }
  const now = Date.now();
  return (
    <ul
      className="mlops-ExperimentsPane-list"
      role="listbox"
      aria-multiselectable
      aria-label={trans.__('Experiments')}
    >
      {experiments.map(experiment => (
        <ExperimentItem
          key={experiment.experiment_id}
          experiment={experiment}
          stat={props.stats.get(experiment.experiment_id)}
          isSelected={!deleted && selected.includes(experiment.experiment_id)}
          deleted={deleted}
          now={now}
          onChoose={event => choose(experiment.experiment_id, event)}
          actions={props.actions}
          trans={trans}
        />
      ))}
      {props.more && (
        <li className="mlops-Muted" aria-disabled>
          {trans.__('Newest %1 shown', experiments.length)}
        </li>
      )}
    </ul>
  );
}
