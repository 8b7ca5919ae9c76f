import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { CompareLegend } from './compare-legend';

export interface ICompareHeaderProps {
  runs: IRun[];
  /** Each run's series colour, by run id. */
  colors: ReadonlyMap<string, string>;
  hidden: ReadonlySet<string>;
  onHiddenChange: (hidden: Set<string>) => void;
  trans: TranslationBundle;
}

/**
 * The compared runs as one legend for every chart below (it stays in view
 * while the charts scroll): a run's colour and name, a click hides it.
 */
export function CompareHeader(props: ICompareHeaderProps): JSX.Element {
  const { runs, trans } = props;
  return (
    <header className="mlops-CompareView-header">
      <h1>
        {props.hidden.size > 0
          ? trans.__(
              'Comparing %1 runs (%2 hidden)',
              runs.length,
              props.hidden.size
            )
          : trans.__('Comparing %1 runs', runs.length)}
      </h1>
      <CompareLegend
        runs={runs}
        colors={props.colors}
        hidden={props.hidden}
        onHiddenChange={props.onHiddenChange}
        trans={trans}
      />
    </header>
  );
}
