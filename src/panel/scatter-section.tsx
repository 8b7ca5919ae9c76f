import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { seriesColor } from '../charts/palette';
import { ScatterChart } from '../charts/scatter-chart';
import { AxisSelect } from './axis-select';
import { columnTitle } from './cell-format';
import { scatterPoints } from './compare-logic';

export interface IScatterSectionProps {
  runs: IRun[];
  /** Each run's colour, by run id. */
  colors: ReadonlyMap<string, string>;
  /** The column ids either axis may show. */
  columns: string[];
  onOpenRun: (runId: string) => void;
  trans: TranslationBundle;
}

/** A scatter of the compared runs over any two of their values. */
export function ScatterSection(props: IScatterSectionProps): JSX.Element {
  const { runs, columns, trans } = props;
  // The chosen axes; none chosen: a param across, a metric up.
  const [scatterX, setScatterX] = React.useState<string>('');
  const [scatterY, setScatterY] = React.useState<string>('');
  const x =
    scatterX || columns.find(c => c.startsWith('params.')) || columns[0] || '';
  const y =
    scatterY || columns.find(c => c.startsWith('metrics.')) || columns[0] || '';
  const points = React.useMemo(
    () =>
      scatterPoints(runs, x, y).map((p, i) => ({
        ...p,
        color: props.colors.get(p.id) ?? seriesColor(i)
      })),
    [runs, x, y, props.colors]
  );
  return (
    <section className="mlops-CompareView-section mlops-CompareView-scatter">
      <h2>{trans.__('Scatter')}</h2>
      <div className="mlops-CompareView-axes">
        <AxisSelect
          label={trans.__('X')}
          className="mlops-CompareView-scatterX"
          value={x}
          columns={columns}
          onChange={setScatterX}
        />
        <AxisSelect
          label={trans.__('Y')}
          className="mlops-CompareView-scatterY"
          value={y}
          columns={columns}
          onChange={setScatterY}
        />
      </div>
      <ScatterChart
        points={points}
        xLabel={columnTitle(x)}
        yLabel={columnTitle(y)}
        onPointClick={props.onOpenRun}
      />
    </section>
  );
}
