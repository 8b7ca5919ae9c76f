import { DOMWidgetModel, WidgetModel } from '@jupyter-widgets/base';
import type { ObjectHash } from 'backbone';
import * as React from 'react';

import { MetricChart, ParallelCoordinates } from '../charts';
import {
  chartsByKey,
  IParamRow,
  IRunRow,
  IWireSeries,
  parallelData
} from './logic';
import { CompareParamsTable } from './compare-params-table';
import { ReactDOMWidgetView, setModelValue, useModelValue } from './react-view';
import { widgetNames } from './version';

/** The model of `CompareRuns`: everything is computed in the kernel. */
export class CompareRunsModel extends DOMWidgetModel {
  defaults(): ObjectHash {
    return {
      ...super.defaults(),
      ...widgetNames('CompareRuns'),
      run_ids: [],
      runs: [],
      params: [],
      metric_keys: [],
      histories: [],
      metric: '',
      missing: [],
      height: 240
    };
  }
}

interface IHistory {
  key: string;
  series: Omit<IWireSeries, 'key'>[];
}

/** One step-axis chart per metric key, from the histories the kernel sent. */
function historyCharts(histories: IHistory[]) {
  return histories.map(h => ({
    key: h.key,
    series:
      chartsByKey(
        h.series.map(s => ({ ...s, key: h.key })),
        'step'
      )[0]?.series ?? []
  }));
}

/** Params side by side, metric charts overlaid, parallel coordinates. */
export function CompareRunsPanel(props: { model: WidgetModel }): JSX.Element {
  const { model } = props;
  const runs = useModelValue<IRunRow[]>(model, 'runs');
  const params = useModelValue<IParamRow[]>(model, 'params');
  const metricKeys = useModelValue<string[]>(model, 'metric_keys');
  const histories = useModelValue<IHistory[]>(model, 'histories');
  const metric = useModelValue<string>(model, 'metric');
  const missing = useModelValue<string[]>(model, 'missing');
  const height = useModelValue<number>(model, 'height');
  const [onlyDiffs, setOnlyDiffs] = React.useState(false);

  const parallel = React.useMemo(
    () => parallelData(runs, params, metric),
    [runs, params, metric]
  );
  const charts = React.useMemo(() => historyCharts(histories), [histories]);
  const shown = onlyDiffs ? params.filter(p => p.differs) : params;

  return (
    <div className="mlops-CompareRuns" data-runs={runs.length}>
      {missing.length > 0 && (
        <div className="mlops-WidgetError">Not found: {missing.join(', ')}</div>
      )}
      <div className="mlops-WidgetToolbar">
        <strong className="mlops-WidgetTitle">Params</strong>
        <label>
          <input
            type="checkbox"
            checked={onlyDiffs}
            onChange={e => setOnlyDiffs(e.target.checked)}
          />
          only differences
        </label>
      </div>
      <CompareParamsTable runs={runs} params={shown} metricKeys={metricKeys} />
      {parallel.dimensions.length > 1 && (
        <>
          <div className="mlops-WidgetToolbar">
            <strong className="mlops-WidgetTitle">Params against</strong>
            <select
              value={metric}
              onChange={e => setModelValue(model, 'metric', e.target.value)}
            >
              {metricKeys.map(k => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </div>
          <ParallelCoordinates
            dimensions={parallel.dimensions}
            rows={parallel.rows}
            colorBy={metric || undefined}
            height={280}
          />
        </>
      )}
      <div className="mlops-CompareRuns-charts">
        {charts.map(chart => (
          <MetricChart
            key={chart.key}
            title={chart.key}
            series={chart.series}
            xAxis="step"
            height={height}
            syncKey={`compare-${model.model_id}`}
          />
        ))}
      </div>
    </div>
  );
}

export class CompareRunsView extends ReactDOMWidgetView {
  protected element(): React.ReactElement {
    return <CompareRunsPanel model={this.model} />;
  }
}
