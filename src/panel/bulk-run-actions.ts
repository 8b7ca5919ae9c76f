import { Dialog, InputDialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';

import type { TrackingApi } from '../api';
import { describeError, IErrorState } from '../model';
import { forEachLimited } from './concurrency';
import type { RunsQuery } from './runs-query';

/** Runs changed at once by a bulk action. */
const BULK_CONCURRENCY = 4;

export interface IBulkRunActionsOptions {
  api: TrackingApi;
  query: RunsQuery;
  selectedIds: string[];
  setSelected: (selected: Set<string>) => void;
  setActionError: (error: IErrorState | null) => void;
  trans: TranslationBundle;
}

/** The first failure of a bulk action, with how many failed; else null. */
function failureOf(
  failures: string[],
  trans: TranslationBundle
): IErrorState | null {
  return failures.length
    ? { message: failures[0], code: trans.__('%1 failed', failures.length) }
    : null;
}

/** Tag (key=value) or delete (asked first) the selected runs. */
export function bulkRunActions(options: IBulkRunActionsOptions): {
  tagSelected: () => Promise<void>;
  deleteSelected: () => Promise<void>;
} {
  const { api, query, selectedIds, setActionError, trans } = options;

  const tagSelected = async () => {
    const result = await InputDialog.getText({
      title: trans.__('Tag %1 runs', selectedIds.length),
      label: trans.__('Tag as key=value'),
      placeholder: 'candidate=true',
      okLabel: trans.__('Tag')
    });
    const text = result.value?.trim() ?? '';
    if (!result.button.accept || !text) {
      return;
    }
    const at = text.indexOf('=');
    const key = (at < 0 ? text : text.slice(0, at)).trim();
    const value = at < 0 ? '' : text.slice(at + 1).trim();
    const failures: string[] = [];
    await forEachLimited(
      selectedIds,
      BULK_CONCURRENCY,
      id => api.setRunTags(id, { [key]: value }),
      (id, _result, error) => {
        if (error) {
          failures.push(describeError(error).message);
        }
      }
    );
    setActionError(failureOf(failures, trans));
    await query.reload();
  };

  const deleteSelected = async () => {
    const answer = await showDialog({
      title: trans.__('Delete runs'),
      body: trans.__(
        'Delete %1 runs? They can be restored until garbage collection.',
        selectedIds.length
      ),
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: trans.__('Delete') })
      ]
    });
    if (!answer.button.accept) {
      return;
    }
    const deleted: string[] = [];
    const failures: string[] = [];
    await forEachLimited(
      selectedIds,
      BULK_CONCURRENCY,
      id => api.deleteRun(id),
      (id, _result, error) => {
        if (error) {
          failures.push(describeError(error).message);
        } else {
          deleted.push(id);
        }
      }
    );
    query.removeRuns(deleted);
    options.setSelected(
      new Set(selectedIds.filter(id => !deleted.includes(id)))
    );
    setActionError(failureOf(failures, trans));
  };

  return { tagSelected, deleteSelected };
}
