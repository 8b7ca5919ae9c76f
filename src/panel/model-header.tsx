import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { formatTimestamp } from './cell-format';
import type { IRegisteredModel } from './registry-api';

export interface IModelHeaderProps {
  model: IRegisteredModel;
  /** Delete the model (asked for after the user confirms). */
  onDelete: () => Promise<void>;
  trans: TranslationBundle;
}

/** A registered model's name, description and owner, and its delete button. */
export function ModelHeader(props: IModelHeaderProps): JSX.Element {
  const { model, trans } = props;
  const remove = async () => {
    const answer = await showDialog({
      title: trans.__('Delete model'),
      body: trans.__('Delete "%1" and all its versions?', model.name),
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: trans.__('Delete') })
      ]
    });
    if (answer.button.accept) {
      await props.onDelete();
    }
  };
  return (
    <>
      <header className="mlops-ModelDetail-header">
        <h1>{model.name}</h1>
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-warn"
          onClick={() => void remove()}
        >
          {trans.__('Delete model')}
        </button>
      </header>
      {model.description && <p>{model.description}</p>}
      <p className="mlops-Muted">
        {trans.__(
          'Owner %1 · created %2',
          model.owner || '—',
          formatTimestamp(model.creation_timestamp)
        )}
      </p>
    </>
  );
}
