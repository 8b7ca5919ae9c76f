import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { BandKind } from '../charts/aggregate';
import type { XAxisKind } from '../charts/types';
import { GroupControls } from './group-controls';
import { OptionSelect } from './option-select';

export interface IChartOptions {
  xAxis: XAxisKind;
  smoothing: number;
  logScale: boolean;
  /** One chart per metric key, or all keys in one chart. */
  layout: 'grid' | 'combined';
  /** Compare view: a param whose runs become one line (mean and band). */
  groupBy: string | null;
  band: BandKind;
}

export interface IChartControlsProps {
  options: IChartOptions;
  onChange: (options: IChartOptions) => void;
  /** Params to group by; no grouping control without them. */
  groupKeys?: string[];
  trans: TranslationBundle;
}

/**
 * The controls above metric charts: x-axis, smoothing, log scale, layout
 * and, when comparing, grouping by a param with its band.
 */
export function ChartControls(props: IChartControlsProps): JSX.Element {
  const { options, onChange, trans } = props;
  const set = (changes: Partial<IChartOptions>) =>
    onChange({ ...options, ...changes });
  return (
    <div className="mlops-ChartControls" role="toolbar">
      <OptionSelect<XAxisKind>
        label={trans.__('X-axis')}
        className="mlops-ChartControls-xAxis"
        value={options.xAxis}
        choices={[
          ['step', trans.__('Step')],
          ['time', trans.__('Wall time')],
          ['relative', trans.__('Relative time')]
        ]}
        onChange={xAxis => set({ xAxis })}
      />
      <label>
        {trans.__('Smoothing')}{' '}
        <input
          type="range"
          className="mlops-ChartControls-smoothing"
          min={0}
          max={0.99}
          step={0.01}
          value={options.smoothing}
          onChange={event => set({ smoothing: Number(event.target.value) })}
        />
        <span className="mlops-ChartControls-value">
          {options.smoothing.toFixed(2)}
        </span>
      </label>
      <label>
        <input
          type="checkbox"
          className="mlops-ChartControls-log"
          checked={options.logScale}
          onChange={event => set({ logScale: event.target.checked })}
        />{' '}
        {trans.__('Log scale')}
      </label>
      <OptionSelect<IChartOptions['layout']>
        label={trans.__('Layout')}
        className="mlops-ChartControls-layout"
        value={options.layout}
        choices={[
          ['grid', trans.__('One chart per metric')],
          ['combined', trans.__('All metrics in one chart')]
        ]}
        onChange={layout => set({ layout })}
      />
      {props.groupKeys && props.groupKeys.length > 0 && (
        <GroupControls
          options={options}
          set={set}
          groupKeys={props.groupKeys}
          trans={trans}
        />
      )}
      <span className="mlops-ChartControls-hint">
        {trans.__('Drag to zoom, double-click to reset')}
      </span>
    </div>
  );
}
