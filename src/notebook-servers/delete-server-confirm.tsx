import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

/** Confirms deleting a server, optionally with its workspace volume. */
export function DeleteServerConfirm(props: {
  name: string;
  deleteVolume: boolean;
  onDeleteVolume: (deleteVolume: boolean) => void;
  onConfirm: () => void;
}): JSX.Element {
  return (
    <div className="mlops-NbConfirm">
      <label>
        <input
          type="checkbox"
          checked={props.deleteVolume}
          onChange={e => props.onDeleteVolume(e.target.checked)}
        />{' '}
        Also delete the workspace volume
      </label>
      <Button className="jp-mod-styled jp-mod-warn" onClick={props.onConfirm}>
        Delete {props.name}
      </Button>
    </div>
  );
}
