import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { BandKind } from '../charts/aggregate';
import type { XAxisKind } from '../charts/types';

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
      <label>
        {trans.__('X-axis')}{' '}
        <select
          className="jp-mod-styled mlops-ChartControls-xAxis"
          value={options.xAxis}
          onChange={event => set({ xAxis: event.target.value as XAxisKind })}
        >
          <option value="step">{trans.__('Step')}</option>
          <option value="time">{trans.__('Wall time')}</option>
          <option value="relative">{trans.__('Relative time')}</option>
        </select>
      </label>
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
      <label>
        {trans.__('Layout')}{' '}
        <select
          className="jp-mod-styled mlops-ChartControls-layout"
          value={options.layout}
          onChange={event =>
            set({ layout: event.target.value as IChartOptions['layout'] })
          }
        >
          <option value="grid">{trans.__('One chart per metric')}</option>
          <option value="combined">
            {trans.__('All metrics in one chart')}
          </option>
        </select>
      </label>
      {props.groupKeys && props.groupKeys.length > 0 && (
        <>
          <label>
            {trans.__('Group by')}{' '}
            <select
              className="jp-mod-styled mlops-ChartControls-groupBy"
              value={options.groupBy ?? ''}
              onChange={event => set({ groupBy: event.target.value || null })}
            >
              <option value="">{trans.__('(no grouping)')}</option>
              {props.groupKeys.map(key => (
                <option key={key} value={key}>
                  {key}
                </option>
              ))}
            </select>
          </label>
          {options.groupBy && (
            <label>
              {trans.__('Band')}{' '}
              <select
                className="jp-mod-styled mlops-ChartControls-band"
                value={options.band}
                onChange={event =>
                  set({ band: event.target.value as BandKind })
                }
              >
                <option value="minmax">{trans.__('min–max')}</option>
                <option value="std">{trans.__('± std')}</option>
                <option value="none">{trans.__('none')}</option>
              </select>
            </label>
          )}
        </>
      )}
      <span className="mlops-ChartControls-hint">
        {trans.__('Drag to zoom, double-click to reset')}
      </span>
    </div>
  );
}
