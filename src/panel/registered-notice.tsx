import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

export interface IRegisteredNoticeProps {
  notice: string;
  onOpenRegistry: () => void;
  trans: TranslationBundle;
}

/** Says a model was registered, with a link to the registry. */
export function RegisteredNotice(props: IRegisteredNoticeProps): JSX.Element {
  return (
    <div className="mlops-Notice" role="status">
      {props.notice}
      <button
        type="button"
        className="mlops-LinkButton"
        onClick={props.onOpenRegistry}
      >
        {props.trans.__('Open the registry')}
      </button>
    </div>
  );
}
