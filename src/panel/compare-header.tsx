import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { runLabel } from './compare-logic';

export interface ICompareHeaderProps {
  runs: IRun[];
  /** Each run's series colour, in the order of `runs`. */
  colors: string[];
  onOpenRun: (runId: string) => void;
  trans: TranslationBundle;
}

/** The compared runs, each with its colour and a link to open it. */
export function CompareHeader(props: ICompareHeaderProps): JSX.Element {
  const { runs, colors, trans } = props;
  return (
    <header className="mlops-CompareView-header">
      <h1>{trans.__('Comparing %1 runs', runs.length)}</h1>
      <ul className="mlops-CompareView-runs">
        {runs.map((run, i) => (
          <li key={run.info.run_id}>
            <span
              className="mlops-ColorChip"
              style={{ background: colors[i] }}
              aria-hidden
            />
            <button
              type="button"
              className="mlops-LinkButton"
              onClick={() => props.onOpenRun(run.info.run_id)}
            >
              {runLabel(run)}
            </button>
          </li>
        ))}
      </ul>
    </header>
  );
}
