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
        <button
          type="submit"
          className="jp-Button jp-mod-accept"
          disabled={props.busy}
        >
          {props.editing ? 'Save' : 'Spawn'}
        </button>
        <button type="button" className="jp-Button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}
