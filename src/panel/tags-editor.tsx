import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { AddTagForm } from './add-tag-form';
import { TagRow } from './tag-row';

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
  const startEdit = (key: string) => {
    setEditing(key);
    setDraft(tags[key]);
  };

  return (
    <div className="mlops-TagsEditor">
      <table className="mlops-KeyValueTable">
        <tbody>
          {keys.map(key => (
            <TagRow
              key={key}
              tagKey={key}
              value={tags[key]}
              editing={editing === key}
              draft={draft}
              onDraft={setDraft}
              onStartEdit={() => startEdit(key)}
              onSave={() =>
                void run(async () => {
                  await props.onSet(key, draft);
                  setEditing(null);
                })
              }
              onCancel={() => setEditing(null)}
              onDelete={() => void run(() => props.onDelete(key))}
              busy={busy}
              trans={trans}
            />
          ))}
        </tbody>
      </table>
      <AddTagForm
        onAdd={(key, value, clear) =>
          run(async () => {
            await props.onSet(key, value);
            clear();
          })
        }
        busy={busy}
        trans={trans}
      />
    </div>
  );
}
