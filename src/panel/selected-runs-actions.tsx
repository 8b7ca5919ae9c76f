import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

export interface ISelectedRunsActionsProps {
  count: number;
  onCompare: () => void;
  onTag: () => void;
  onDelete: () => void;
  trans: TranslationBundle;
}

/** How many runs are selected, and Compare, Tag and Delete for them. */
export function SelectedRunsActions(
  props: ISelectedRunsActionsProps
): JSX.Element {
  const { count, trans } = props;
  return (
    <span className="mlops-RunsView-actions">
      <span>{trans.__('%1 selected', count)}</span>
      <button
        type="button"
        className="jp-Button jp-mod-styled jp-mod-accept mlops-RunsView-compare"
        disabled={count < 2}
        onClick={props.onCompare}
      >
        {trans.__('Compare')}
      </button>
      <button
        type="button"
        className="jp-Button jp-mod-styled mlops-RunsView-tag"
        onClick={props.onTag}
      >
        {trans.__('Tag')}
      </button>
      <button
        type="button"
        className="jp-Button jp-mod-styled jp-mod-warn mlops-RunsView-delete"
        onClick={props.onDelete}
      >
        {trans.__('Delete')}
      </button>
    </span>
  );
}
