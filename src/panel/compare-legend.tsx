import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { runLabel } from './compare-logic';

export interface ICompareLegendProps {
  runs: IRun[];
  /** Each run's colour, by run id. */
  colors: ReadonlyMap<string, string>;
  /** The ids of the runs hidden from every chart and table. */
  hidden: ReadonlySet<string>;
  onHiddenChange: (hidden: Set<string>) => void;
  trans: TranslationBundle;
}

/**
 * One legend for every chart of the compare view: each run's colour and
 * name; a click hides the run everywhere (and shows it again), so a hundred
 * runs need not be listed under each chart.
 */
export function CompareLegend(props: ICompareLegendProps): JSX.Element {
  const { runs, colors, hidden, trans } = props;
  const toggle = (runId: string) => {
    const next = new Set(hidden);
    if (!next.delete(runId)) {
      next.add(runId);
    }
    props.onHiddenChange(next);
  };
  return (
    <div className="mlops-CompareLegend" aria-label={trans.__('Runs')}>
      <ul className="mlops-CompareLegend-items">
        {runs.map(run => {
          const id = run.info.run_id;
          const shown = !hidden.has(id);
          return (
            <li key={id}>
              <button
                type="button"
                className={
                  'mlops-CompareLegend-item' +
                  (shown ? '' : ' mlops-mod-hidden')
                }
                data-run-id={id}
                aria-pressed={shown}
                title={
                  shown
                    ? trans.__('Hide %1 in every chart', runLabel(run))
                    : trans.__('Show %1 again', runLabel(run))
                }
                onClick={() => toggle(id)}
              >
                <span
                  className="mlops-ColorChip"
                  style={{ background: colors.get(id) }}
                  aria-hidden
                />
                {runLabel(run)}
              </button>
            </li>
          );
        })}
      </ul>
      {hidden.size > 0 && (
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-minimal mlops-CompareLegend-showAll"
          onClick={() => props.onHiddenChange(new Set())}
        >
          {trans.__('Show all (%1 hidden)', hidden.size)}
        </button>
      )}
    </div>
  );
}
