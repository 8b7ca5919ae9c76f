import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { diffParams, runLabel } from './compare-logic';

export interface IParamsDiffProps {
  runs: IRun[];
  /** Each run's colour, by run id. */
  colors: ReadonlyMap<string, string>;
  trans: TranslationBundle;
}

/** Params side by side, one column per run; rows that differ are marked. */
export function ParamsDiff(props: IParamsDiffProps): JSX.Element {
  const { runs, colors, trans } = props;
  const [onlyDiff, setOnlyDiff] = React.useState(false);
  const rows = React.useMemo(
    () => diffParams(runs, onlyDiff),
    [runs, onlyDiff]
  );
  return (
    <div className="mlops-ParamsDiff">
      <label className="mlops-ParamsDiff-toggle">
        <input
          type="checkbox"
          checked={onlyDiff}
          onChange={event => setOnlyDiff(event.target.checked)}
        />{' '}
        {trans.__('Only differences')}
      </label>
      <div className="mlops-ParamsDiff-scroll">
        <table className="mlops-ParamsDiff-table">
          <thead>
            <tr>
              <th>{trans.__('Param')}</th>
              {runs.map(run => (
                <th key={run.info.run_id}>
                  <span
                    className="mlops-ColorChip"
                    style={{ background: colors.get(run.info.run_id) }}
                    aria-hidden
                  />
                  {runLabel(run)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(row => (
              <tr
                key={row.key}
                data-param={row.key}
                className={row.differs ? 'mlops-mod-differs' : undefined}
              >
                <th scope="row">{row.key}</th>
                {row.values.map((value, i) => (
                  <td key={i}>{value ?? '—'}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && (
          <p className="mlops-Muted">
            {onlyDiff
              ? trans.__('All params are the same.')
              : trans.__('No params logged.')}
          </p>
        )}
      </div>
    </div>
  );
}
