import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

export interface IRunsCountProps {
  loaded: number;
  /** All the runs that match; `null` until counted. */
  total: number | null;
  loading: boolean;
  /** Whether some runs still run (they update while the view polls). */
  live: boolean;
  refreshInterval: number;
  trans: TranslationBundle;
}

/** How many runs are loaded of how many, and whether they update live. */
export function RunsCount(props: IRunsCountProps): JSX.Element {
  const { total, trans } = props;
  return (
    <>
      <span className="mlops-RunsView-count" data-total={total ?? ''}>
        {total === null
          ? props.loading
            ? trans.__('Loading runs…')
            : ''
          : trans.__('%1 of %2 runs loaded', props.loaded, total)}
      </span>
      {props.live && props.refreshInterval > 0 && (
        <span
          className="mlops-RunsView-live"
          title={trans.__(
            'Running runs update every %1 s',
            props.refreshInterval
          )}
        >
          ● {trans.__('live')}
        </span>
      )}
    </>
  );
}
