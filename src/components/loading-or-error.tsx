import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IErrorState } from '../model';
import { ErrorBanner } from './error-banner';

export interface ILoadingOrErrorProps {
  /** The class of the view's root, so that it keeps its layout meanwhile. */
  className: string;
  error: IErrorState | null;
  onRetry: () => void;
  /** What is loading, e.g. "Loading run…". */
  loadingText: string;
  trans: TranslationBundle;
}

/**
 * What a view shows before its first answer: the error of the load that
 * failed, with a retry, or that it is loading.
 */
export function LoadingOrError(props: ILoadingOrErrorProps): JSX.Element {
  const { className, error, onRetry, loadingText, trans } = props;
  return (
    <div className={className}>
      {error ? (
        <ErrorBanner error={error} onRetry={onRetry} trans={trans} />
      ) : (
        <div className="mlops-Placeholder">{loadingText}</div>
      )}
    </div>
  );
}
