import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun } from '../api';
import { formatMetricValue } from '../format';
import {
  defaultDirection,
  METRIC_STATS,
  MetricDirection,
  MetricStat,
  metricValues,
  runLabel
} from './compare-logic';

/** At most this many metrics get columns at once; a filter finds the others. */
export const VALUES_TABLE_METRICS = 20;

export interface ICompareValuesTableProps {
  runs: IRun[];
  metricKeys: string[];
  colors: ReadonlyMap<string, string>;
  onOpenRun: (runId: string) => void;
  trans: TranslationBundle;
}

/**
 * The last, min and max of every metric per run, one row per run, with the
 * best value of each column highlighted. Whether lower or higher is better
 * starts from the metric's name (losses and errors: lower) and flips with a
 * click on the arrow in the metric's header.
 */
export function CompareValuesTable(
  props: ICompareValuesTableProps
): JSX.Element {
  const { runs, colors, trans } = props;
  const [directions, setDirections] = React.useState<
    Record<string, MetricDirection>
  >({});
  const [search, setSearch] = React.useState('');
  const many = props.metricKeys.length > VALUES_TABLE_METRICS;
  const matching = React.useMemo(() => {
    const lower = search.toLowerCase();
    return props.metricKeys.filter(k => k.toLowerCase().includes(lower));
  }, [props.metricKeys, search]);
  const keys = matching.slice(0, VALUES_TABLE_METRICS);
  const table = React.useMemo(
    () => metricValues(runs, keys, directions),
    [runs, keys.join('\u0000'), directions]
  );
  const statLabel: Record<MetricStat, string> = {
    value: trans.__('last'),
    min: trans.__('min'),
    max: trans.__('max')
  };
  const flip = (key: string, current: MetricDirection) =>
    setDirections({ ...directions, [key]: current === 'min' ? 'max' : 'min' });

  if (props.metricKeys.length === 0) {
    return <p className="mlops-Muted">{trans.__('No metrics logged.')}</p>;
  }
  return (
    <div className="mlops-CompareValues">
      {many && (
        <div className="mlops-CompareValues-find">
          <input
            type="search"
            className="jp-mod-styled mlops-CompareValues-search"
            placeholder={trans.__('Find a metric')}
            aria-label={trans.__('Find a metric')}
            value={search}
            onChange={event => setSearch(event.target.value)}
          />
          <span className="mlops-Muted">
            {trans.__('%1 of %2 metrics', keys.length, props.metricKeys.length)}
          </span>
        </div>
      )}
      <div className="mlops-CompareValues-scroll">
        <table className="mlops-CompareValues-table">
          <thead>
            <tr>
              <th rowSpan={2} className="mlops-CompareValues-head">
                {trans.__('Run')}
              </th>
              {table.map(metric => (
                <th
                  key={metric.key}
                  colSpan={METRIC_STATS.length}
                  data-metric={metric.key}
                  data-direction={metric.direction}
                  className="mlops-CompareValues-head mlops-CompareValues-metric"
                >
                  <span title={metric.key}>{metric.key}</span>
                  <button
                    type="button"
                    className="jp-Button jp-mod-minimal mlops-CompareValues-direction"
                    aria-label={
                      metric.direction === 'min'
                        ? trans.__(
                            '%1: lower is better; click for higher',
                            metric.key
                          )
                        : trans.__(
                            '%1: higher is better; click for lower',
                            metric.key
                          )
                    }
                    title={
                      metric.direction === 'min'
                        ? trans.__('Lower is better (click to flip)')
                        : trans.__('Higher is better (click to flip)')
                    }
                    onClick={() => flip(metric.key, metric.direction)}
                  >
                    {metric.direction === 'min' ? '↓' : '↑'}
                    {metric.direction !== defaultDirection(metric.key) && '*'}
                  </button>
                </th>
              ))}
            </tr>
            <tr>
              {table.map(metric =>
                METRIC_STATS.map(stat => (
                  <th
                    key={`${metric.key}\u0000${stat}`}
                    className="mlops-CompareValues-head"
                    data-stat={stat}
                  >
                    {statLabel[stat]}
                  </th>
                ))
              )}
            </tr>
          </thead>
          <tbody>
            {runs.map((run, runIndex) => (
              <tr key={run.info.run_id} data-run-id={run.info.run_id}>
                <th scope="row" className="mlops-CompareValues-run">
                  <span
                    className="mlops-ColorChip"
                    style={{ background: colors.get(run.info.run_id) }}
                    aria-hidden
                  />
                  <button
                    type="button"
                    className="mlops-LinkButton"
                    title={run.info.run_id}
                    onClick={() => props.onOpenRun(run.info.run_id)}
                  >
                    {runLabel(run)}
                  </button>
                </th>
                {table.map(metric =>
                  METRIC_STATS.map(stat => {
                    const value = metric.values[stat][runIndex];
                    const best = metric.best[stat].includes(runIndex);
                    return (
                      <td
                        key={`${metric.key}\u0000${stat}`}
                        data-metric={metric.key}
                        data-stat={stat}
                        className={
                          'mlops-CompareValues-cell' +
                          (best ? ' mlops-mod-best' : '')
                        }
                        title={
                          value === null
                            ? undefined
                            : best
                              ? trans.__('%1 (best)', String(value))
                              : String(value)
                        }
                      >
                        {value === null ? '—' : formatMetricValue(value)}
                      </td>
                    );
                  })
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
