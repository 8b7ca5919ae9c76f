import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { formatTimestamp } from './cell-format';
import { ModelDescription } from './model-description';
import type { IRegisteredModel } from './registry-api';

export interface IModelHeaderProps {
  model: IRegisteredModel;
  /** Delete the model (asked for after the user confirms). */
  onDelete: () => Promise<void>;
  /** Save a new description; rejects on failure. */
  onDescribe: (description: string) => Promise<void>;
  trans: TranslationBundle;
}

/** A registered model's name, description (editable), owner, and delete button. */
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
        <Button
          type="button"
          className="jp-mod-styled jp-mod-warn"
          onClick={() => void remove()}
        >
          {trans.__('Delete model')}
        </Button>
      </header>
      <ModelDescription
        description={model.description}
        onSave={props.onDescribe}
        trans={trans}
      />
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
