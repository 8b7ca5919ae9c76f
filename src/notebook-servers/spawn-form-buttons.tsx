import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

/** The spawn form's error, if any, and its submit and cancel buttons. */
export function SpawnFormButtons(props: {
  error: string | null;
  busy: boolean;
  editing: boolean;
  onCancel: () => void;
}): JSX.Element {
  return (
    <>
      {props.error && (
        <div className="mlops-NbError" role="alert">
          {props.error}
        </div>
      )}
      <div className="mlops-NbButtons">
        <Button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          disabled={props.busy}
        >
          {props.editing ? 'Save' : 'Spawn'}
        </Button>
        <Button
          type="button"
          className="jp-mod-styled jp-mod-reject"
          onClick={props.onCancel}
        >
          Cancel
        </Button>
      </div>
    </>
  );
}
