import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { ParallelCoordinates } from '../charts/parallel-coordinates';
import { columnTitle } from './cell-format';
import { parallelRows } from './compare-logic';

export interface IParallelSectionProps {
  runs: IRun[];
  /** Each run's colour, by run id (lines not coloured by a column). */
  colors: ReadonlyMap<string, string>;
  /** The column ids of the axes. */
  dimensions: string[];
  onOpenRun: (runId: string) => void;
  trans: TranslationBundle;
}

/** Parallel coordinates of the compared runs, coloured by a chosen column. */
export function ParallelSection(props: IParallelSectionProps): JSX.Element {
  const { runs, dimensions, trans } = props;
  // The column that colours the lines; empty: each run its colour.
  const [colorBy, setColorBy] = React.useState<string>('');
  const rows = React.useMemo(
    () =>
      parallelRows(runs, dimensions).map(row => ({
        ...row,
        color: props.colors.get(row.id)
      })),
    [runs, dimensions, props.colors]
  );
  return (
    <section className="mlops-CompareView-section mlops-CompareView-parallel">
      <h2>{trans.__('Parallel coordinates')}</h2>
      <label>
        {trans.__('Colour by')}{' '}
        <select
          className="jp-mod-styled"
          value={colorBy}
          onChange={event => setColorBy(event.target.value)}
        >
          <option value="">{trans.__('run')}</option>
          {dimensions.map(d => (
            <option key={d} value={d}>
              {columnTitle(d)}
            </option>
          ))}
        </select>
      </label>
      <ParallelCoordinates
        dimensions={dimensions}
        rows={rows}
        colorBy={colorBy || undefined}
        onRowClick={props.onOpenRun}
      />
    </section>
  );
}
