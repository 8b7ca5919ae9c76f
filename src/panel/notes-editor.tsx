import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { Markdown } from './markdown';

/** The tag MLflow keeps a run's notes in, so notes travel with the run. */
export const NOTE_TAG = 'mlflow.note.content';

export interface INotesEditorProps {
  text: string;
  rendermime: IRenderMimeRegistry | null;
  onSave: (text: string) => Promise<void>;
  trans: TranslationBundle;
}

/** A run's notes: Markdown rendered by JupyterLab, editable in place. */
export function NotesEditor(props: INotesEditorProps): JSX.Element {
  const { text, trans } = props;
  const [editing, setEditing] = React.useState(false);
  const [draft, setDraft] = React.useState(text);
  const [busy, setBusy] = React.useState(false);
  return (
    <div className="mlops-NotesEditor">
      {editing ? (
        <>
          <textarea
            className="jp-mod-styled mlops-NotesEditor-text"
            aria-label={trans.__('Notes (Markdown)')}
            value={draft}
            rows={8}
            onChange={event => setDraft(event.target.value)}
          />
          <div className="mlops-NotesEditor-buttons">
            <button
              type="button"
              className="jp-Button jp-mod-styled jp-mod-accept mlops-NotesEditor-save"
              disabled={busy}
              onClick={() => {
                setBusy(true);
                props
                  .onSave(draft)
                  .then(() => setEditing(false))
                  .catch(() => undefined)
                  .finally(() => setBusy(false));
              }}
            >
              {trans.__('Save')}
            </button>
            <button
              type="button"
              className="jp-Button jp-mod-styled"
              onClick={() => setEditing(false)}
            >
              {trans.__('Cancel')}
            </button>
          </div>
        </>
      ) : (
        <>
          {text ? (
            <Markdown
              source={text}
              rendermime={props.rendermime}
              className="mlops-NotesEditor-rendered"
            />
          ) : (
            <p className="mlops-Muted">{trans.__('No notes yet.')}</p>
          )}
          <button
            type="button"
            className="jp-Button jp-mod-styled mlops-NotesEditor-edit"
            onClick={() => {
              setDraft(text);
              setEditing(true);
            }}
          >
            {text ? trans.__('Edit notes') : trans.__('Add notes')}
          </button>
        </>
      )}
    </div>
  );
}
