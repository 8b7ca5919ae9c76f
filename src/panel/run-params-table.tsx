import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { TableSection } from '../components/table-section';

export interface IRunParamsTableProps {
  params: Record<string, string>;
  trans: TranslationBundle;
}

/** A run's params, one row per key in key order. */
export function RunParamsTable(props: IRunParamsTableProps): JSX.Element {
  const { params, trans } = props;
  return (
    <TableSection
      title={trans.__('Params')}
      emptyText={trans.__('No params logged.')}
      items={Object.keys(params).sort()}
      tableClassName="mlops-KeyValueTable mlops-RunOverview-params"
      row={key => (
        <tr key={key} data-param={key}>
          <th scope="row">{key}</th>
          <td>{params[key]}</td>
        </tr>
      )}
    />
  );
}
