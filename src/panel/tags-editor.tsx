import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

export interface ITagsEditorProps {
  tags: Record<string, string>;
  /** Tags hidden here because other parts of the view show them. */
  hidden?: (key: string) => boolean;
  onSet: (key: string, value: string) => Promise<void>;
  onDelete: (key: string) => Promise<void>;
  trans: TranslationBundle;
}

/**
 * Tags as key/value rows: add one, edit a value in place, remove one. The
 * owner reports errors (they come from the server).
 */
export function TagsEditor(props: ITagsEditorProps): JSX.Element {
  const { tags, trans } = props;
  const [newKey, setNewKey] = React.useState('');
  const [newValue, setNewValue] = React.useState('');
  const [editing, setEditing] = React.useState<string | null>(null);
  const [draft, setDraft] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const keys = Object.keys(tags)
    .filter(key => !props.hidden?.(key))
    .sort();

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="mlops-TagsEditor">
      <table className="mlops-KeyValueTable">
        <tbody>
          {keys.map(key => (
            <tr key={key} data-tag={key}>
              <th scope="row">{key}</th>
              <td>
                {editing === key ? (
                  <input
                    className="jp-mod-styled"
                    aria-label={trans.__('Value of %1', key)}
                    value={draft}
                    autoFocus
                    onChange={event => setDraft(event.target.value)}
                    onKeyDown={event => {
                      if (event.key === 'Enter') {
                        void run(async () => {
                          await props.onSet(key, draft);
                          setEditing(null);
                        });
                      } else if (event.key === 'Escape') {
                        setEditing(null);
                      }
                    }}
                  />
                ) : (
                  <span
                    className="mlops-TagsEditor-value"
                    title={trans.__('Double-click to edit')}
                    onDoubleClick={() => {
                      setEditing(key);
                      setDraft(tags[key]);
                    }}
                  >
                    {tags[key]}
                  </span>
                )}
              </td>
              <td className="mlops-TagsEditor-actions">
                <button
                  type="button"
                  className="mlops-IconButton"
                  title={trans.__('Edit')}
                  disabled={busy}
                  onClick={() => {
                    setEditing(key);
                    setDraft(tags[key]);
                  }}
                >
                  ✎
                </button>
                <button
                  type="button"
                  className="mlops-IconButton"
                  title={trans.__('Remove tag %1', key)}
                  aria-label={trans.__('Remove tag %1', key)}
                  disabled={busy}
                  onClick={() => void run(() => props.onDelete(key))}
                >
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="mlops-TagsEditor-add"
        onSubmit={event => {
          event.preventDefault();
          const key = newKey.trim();
          if (!key) {
            return;
          }
          void run(async () => {
            await props.onSet(key, newValue);
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
          disabled={busy || !newKey.trim()}
        >
          {trans.__('Add tag')}
        </button>
      </form>
    </div>
  );
}
