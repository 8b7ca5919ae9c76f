import * as React from 'react';

import type { IRun } from '../api';
import { columnId } from './columns';
import { diffParams, IParamRow, metricKeysOf } from './compare-logic';

/** Parallel coordinates start with at most this many metric axes. */
const PARALLEL_METRICS = 4;

export interface ICompareColumns {
  metricKeys: string[];
  paramRows: IParamRow[];
  paramKeys: string[];
  /** Column ids of every metric and param, for the scatter's axes. */
  valueColumns: string[];
  /** Column ids of the parallel coordinates' axes: differing params first. */
  dimensions: string[];
}

/** The metrics and params of the compared runs, as the charts use them. */
export function useCompareColumns(runs: IRun[] | null): ICompareColumns {
  const metricKeys = React.useMemo(() => metricKeysOf(runs ?? []), [runs]);
  const paramRows = React.useMemo(() => diffParams(runs ?? []), [runs]);
  const paramKeys = paramRows.map(r => r.key);
  const valueColumns = [
    ...metricKeys.map(k => columnId('metric', k)),
    ...paramKeys.map(k => columnId('param', k))
  ];
  const dimensions = React.useMemo(
    () => [
      ...paramRows.filter(r => r.differs).map(r => columnId('param', r.key)),
      ...metricKeys.slice(0, PARALLEL_METRICS).map(k => columnId('metric', k))
    ],
    [paramRows, metricKeys]
  );
  return { metricKeys, paramRows, paramKeys, valueColumns, dimensions };
}
