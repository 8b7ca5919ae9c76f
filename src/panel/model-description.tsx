import type { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

export interface IModelDescriptionProps {
  description: string;
  /** Save a new description; resolves once saved, rejects on failure. */
  onSave: (description: string) => Promise<void>;
  trans: TranslationBundle;
}

/** A registered model's description, edited in place. */
export function ModelDescription(props: IModelDescriptionProps): JSX.Element {
  const { description, trans } = props;
  const [draft, setDraft] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  if (draft === null) {
    return (
      <section className="mlops-ModelDescription">
        {description ? (
          <p className="mlops-ModelDescription-text">{description}</p>
        ) : (
          <p className="mlops-Muted mlops-ModelDescription-text">
            {trans.__('No description.')}
          </p>
        )}
        <Button
          small
          className="jp-mod-styled jp-mod-reject mlops-ModelDescription-edit"
          onClick={() => setDraft(description)}
        >
          {description
            ? trans.__('Edit description')
            : trans.__('Add a description')}
        </Button>
      </section>
    );
  }
  return (
    <form
      className="mlops-ModelDescription mlops-ModelDescription-form"
      onSubmit={event => {
        event.preventDefault();
        setBusy(true);
        props
          .onSave(draft.trim())
          .then(
            () => setDraft(null),
            () => undefined
          )
          .finally(() => setBusy(false));
      }}
    >
      <textarea
        className="jp-mod-styled mlops-ModelDescription-input"
        aria-label={trans.__('Description')}
        rows={3}
        value={draft}
        autoFocus
        onChange={event => setDraft(event.target.value)}
      />
      <div className="mlops-ModelDescription-buttons">
        <Button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          disabled={busy}
        >
          {trans.__('Save')}
        </Button>
        <Button
          type="button"
          className="jp-mod-styled jp-mod-reject"
          onClick={() => setDraft(null)}
        >
          {trans.__('Cancel')}
        </Button>
      </div>
    </form>
  );
}
