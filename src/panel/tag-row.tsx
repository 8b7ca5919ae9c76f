import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

export interface ITagRowProps {
  tagKey: string;
  value: string;
  /** Whether the value is being edited (then `draft` is shown in an input). */
  editing: boolean;
  draft: string;
  onDraft: (draft: string) => void;
  onStartEdit: () => void;
  /** Save the draft (Enter). */
  onSave: () => void;
  /** Leave the value as it was (Escape). */
  onCancel: () => void;
  onDelete: () => void;
  busy: boolean;
  trans: TranslationBundle;
}

/** One tag: its key, its value (edited in place), Edit and Remove. */
export function TagRow(props: ITagRowProps): JSX.Element {
  const { tagKey: key, trans } = props;
  return (
    <tr data-tag={key}>
      <th scope="row">{key}</th>
      <td>
        {props.editing ? (
          <input
            className="jp-mod-styled"
            aria-label={trans.__('Value of %1', key)}
            value={props.draft}
            autoFocus
            onChange={event => props.onDraft(event.target.value)}
            onKeyDown={event => {
              if (event.key === 'Enter') {
                props.onSave();
              } else if (event.key === 'Escape') {
                props.onCancel();
              }
            }}
          />
        ) : (
          <span
            className="mlops-TagsEditor-value"
            title={trans.__('Double-click to edit')}
            onDoubleClick={props.onStartEdit}
          >
            {props.value}
          </span>
        )}
      </td>
      <td className="mlops-TagsEditor-actions">
        <button
          type="button"
          className="mlops-IconButton"
          title={trans.__('Edit')}
          disabled={props.busy}
          onClick={props.onStartEdit}
        >
          ✎
        </button>
        <button
          type="button"
          className="mlops-IconButton"
          title={trans.__('Remove tag %1', key)}
          aria-label={trans.__('Remove tag %1', key)}
          disabled={props.busy}
          onClick={props.onDelete}
        >
          ×
        </button>
      </td>
    </tr>
  );
}
