import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun, TrackingApi } from '../api';
import { errorSummary, hasErrorSection } from './run-error-logic';
import { endReason } from './run-overview';
import { useRunError } from './use-run-error';

export interface IRunErrorProps {
  api: TrackingApi;
  run: IRun;
  trans: TranslationBundle;
}

/**
 * Why a failed run failed, at the top of its overview: the exception it was
 * tagged with and the traceback it recorded (or the tail of its step log).
 */
export function RunError(props: IRunErrorProps): JSX.Element | null {
  const { api, run, trans } = props;
  const { detail, loading } = useRunError(api, run);
  if (!hasErrorSection(run)) {
    return null;
  }
  const summary = errorSummary(run) ?? endReason(run);
  return (
    <section className="mlops-RunError" role="alert">
      <h3 className="mlops-RunError-title">{trans.__('Error')}</h3>
      {summary && <p className="mlops-RunError-summary">{summary}</p>}
      {detail ? (
        <>
          <pre className="mlops-RunError-traceback">{detail.text}</pre>
          <p className="mlops-Muted mlops-RunError-source">
            {trans.__('From the artifact %1', detail.path)}
          </p>
        </>
      ) : loading ? (
        <p className="mlops-Muted">{trans.__('Loading the error…')}</p>
      ) : (
        !summary && (
          <p className="mlops-Muted">
            {trans.__('The run failed without recording an error.')}
          </p>
        )
      )}
    </section>
  );
}
