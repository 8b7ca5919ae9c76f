import { Dialog, InputDialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { IExperiment, TrackingApi } from '../api';

export interface IExperimentCommands {
  create: () => Promise<void>;
  rename: (experiment: IExperiment) => Promise<void>;
  remove: (experiment: IExperiment) => Promise<void>;
  restore: (experiment: IExperiment) => Promise<void>;
}

export interface IExperimentCommandsOptions {
  api: TrackingApi;
  trans: TranslationBundle;
  /** Run a change, then read the list again (showing a failure). */
  act: (action: () => Promise<unknown>) => Promise<void>;
  selected: string[];
  onSelect: (experimentIds: string[]) => void;
  setShowDeleted: (showDeleted: boolean) => void;
}

/** Create, rename, delete (asked first) and restore experiments. */
export function experimentCommands(
  options: IExperimentCommandsOptions
): IExperimentCommands {
  const { api, trans, act, selected, onSelect } = options;

  const create = async () => {
    const result = await InputDialog.getText({
      title: trans.__('New experiment'),
      label: trans.__('Name'),
      placeholder: trans.__('e.g. churn-model'),
      okLabel: trans.__('Create')
    });
    if (result.button.accept && result.value?.trim()) {
      await act(async () => {
        const experiment = await api.createExperiment(result.value!.trim());
        onSelect([experiment.experiment_id]);
      });
    }
  };

  const rename = async (experiment: IExperiment) => {
    const result = await InputDialog.getText({
      title: trans.__('Rename experiment'),
      label: trans.__('New name'),
      text: experiment.name,
      okLabel: trans.__('Rename')
    });
    if (
      result.button.accept &&
      result.value?.trim() &&
      result.value.trim() !== experiment.name
    ) {
      await act(() =>
        api.updateExperiment(experiment.experiment_id, {
          name: result.value!.trim()
        })
      );
    }
  };

  const remove = async (experiment: IExperiment) => {
    const answer = await showDialog({
      title: trans.__('Delete experiment'),
      body: trans.__(
        'Delete "%1" and its runs? They can be restored from the deleted experiments.',
        experiment.name
      ),
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: trans.__('Delete') })
      ]
    });
    if (answer.button.accept) {
      await act(async () => {
        await api.deleteExperiment(experiment.experiment_id);
        onSelect(selected.filter(id => id !== experiment.experiment_id));
      });
    }
  };

  const restore = (experiment: IExperiment) =>
    act(async () => {
      await api.restoreExperiment(experiment.experiment_id);
      options.setShowDeleted(false);
      onSelect([experiment.experiment_id]);
    });

  return { create, rename, remove, restore };
}
