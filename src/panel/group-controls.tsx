import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { BandKind } from '../charts/aggregate';
import type { IChartOptions } from './chart-controls';
import { OptionSelect } from './option-select';

export interface IGroupControlsProps {
  options: IChartOptions;
  set: (changes: Partial<IChartOptions>) => void;
  /** The params to group by. */
  groupKeys: string[];
  trans: TranslationBundle;
}

/** Group the runs by a param into one line each, and the band around it. */
export function GroupControls(props: IGroupControlsProps): JSX.Element {
  const { options, set, trans } = props;
  return (
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
        <OptionSelect<BandKind>
          label={trans.__('Band')}
          className="mlops-ChartControls-band"
          value={options.band}
          choices={[
            ['minmax', trans.__('min–max')],
            ['std', trans.__('± std')],
            ['none', trans.__('none')]
          ]}
          onChange={band => set({ band })}
        />
      )}
    </>
  );
}
