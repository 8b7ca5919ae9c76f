import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IErrorState } from '../model';

export interface IErrorBannerProps {
  error: IErrorState;
  onRetry: () => void;
  trans: TranslationBundle;
}

/**
 * What went wrong, in the server's words, with a way to try again.
 */
export function ErrorBanner(props: IErrorBannerProps): JSX.Element {
  const { error, onRetry, trans } = props;
  return (
    <div className="mlops-ErrorBanner" role="alert">
      <div className="mlops-ErrorBanner-text">
        <span className="mlops-ErrorBanner-message">{error.message}</span>
        {error.code && (
          <span className="mlops-ErrorBanner-code">{error.code}</span>
        )}
      </div>
      <button
        type="button"
        className="jp-Button jp-mod-styled jp-mod-reject mlops-ErrorBanner-retry"
        onClick={onRetry}
      >
        {trans.__('Retry')}
      </button>
    </div>
  );
}
