import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

export interface IAddTagFormProps {
  /** Add the tag, then `clear` the fields (not after a failure). */
  onAdd: (key: string, value: string, clear: () => void) => Promise<void>;
  busy: boolean;
  trans: TranslationBundle;
}

/** A new tag's key and value, and Add tag. */
export function AddTagForm(props: IAddTagFormProps): JSX.Element {
  const { trans } = props;
  const [newKey, setNewKey] = React.useState('');
  const [newValue, setNewValue] = React.useState('');
  return (
    <form
      className="mlops-TagsEditor-add"
      onSubmit={event => {
        event.preventDefault();
        const key = newKey.trim();
        if (!key) {
          return;
        }
        void props.onAdd(key, newValue, () => {
          setNewKey('');
          setNewValue('');
        });
      }}
    >
      <input
        className="jp-mod-styled mlops-TagsEditor-newKey"
        placeholder={trans.__('key')}
        aria-label={trans.__('New tag key')}
        value={newKey}
        onChange={event => setNewKey(event.target.value)}
      />
      <input
        className="jp-mod-styled mlops-TagsEditor-newValue"
        placeholder={trans.__('value')}
        aria-label={trans.__('New tag value')}
        value={newValue}
        onChange={event => setNewValue(event.target.value)}
      />
      <button
        type="submit"
        className="jp-Button jp-mod-styled mlops-TagsEditor-addButton"
        disabled={props.busy || !newKey.trim()}
      >
        {trans.__('Add tag')}
      </button>
    </form>
  );
}
