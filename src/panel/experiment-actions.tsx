import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

export interface IExperimentActionsProps {
  /** Whether the experiment is a deleted one (then it can only be restored). */
  deleted: boolean;
  /** Whether it may be deleted (the default experiment may not). */
  deletable: boolean;
  onRestore: () => void;
  onRename: () => void;
  onDelete: () => void;
  trans: TranslationBundle;
}

/** An experiment's links: Restore, or Rename and Delete. */
export function ExperimentActions(props: IExperimentActionsProps): JSX.Element {
  const { trans } = props;
  // The item under the links selects on click; a link does only its job.
  const only = (action: () => void) => (event: React.MouseEvent) => {
    event.stopPropagation();
    action();
  };
  return (
    <div className="mlops-ExperimentsPane-actions">
      {props.deleted ? (
        <button
          type="button"
          className="mlops-LinkButton"
          onClick={only(props.onRestore)}
        >
          {trans.__('Restore')}
        </button>
      ) : (
        <>
          <button
            type="button"
            className="mlops-LinkButton"
            onClick={only(props.onRename)}
          >
            {trans.__('Rename')}
          </button>
          {props.deletable && (
            <button
              type="button"
              className="mlops-LinkButton mlops-mod-danger"
              onClick={only(props.onDelete)}
            >
              {trans.__('Delete')}
            </button>
          )}
        </>
      )}
    </div>
  );
}
