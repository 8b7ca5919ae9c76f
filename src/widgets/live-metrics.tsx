import { DOMWidgetModel } from '@jupyter-widgets/base';
import type { ObjectHash } from 'backbone';
import * as React from 'react';

import { MetricChart } from '../charts';
import type { XAxisKind } from '../charts/types';
import {
  chartsByKey,
  countPoints,
  IWireSeries,
  mergePoints,
  SeriesStore
} from './logic';
import { LiveMetricsToolbar } from './live-metrics-toolbar';
import { ReactDOMWidgetView, useModelValue } from './react-view';
import { widgetNames } from './version';

interface IPointsMessage {
  type: 'points' | 'snapshot';
  series: IWireSeries[];
}

/**
 * The model of `LiveMetrics`: settings are synced traits; the points arrive as
 * custom messages (only new ones) and live here, shared by every view.
 */
export class LiveMetricsModel extends DOMWidgetModel {
  defaults(): ObjectHash {
    return {
      ...super.defaults(),
      ...widgetNames('LiveMetrics'),
      metric_keys: [],
      run_ids: [],
      x_axis: 'step',
      log_scale: false,
      smoothing: 0,
      title: '',
      height: 260,
      point_count: 0,
      status: 'waiting'
    };
  }

  initialize(
    attributes: ObjectHash,
    options: { model_id: string; comm?: any; widget_manager: any }
  ): void {
    super.initialize(attributes, options);
    this.on('msg:custom', this._onMessage, this);
    // Points sent before this model existed (a reload, a late view): ask once.
    this.send({ type: 'snapshot' }, {});
  }

  /** The points received so far. */
  get series(): SeriesStore {
    return this._series ?? new Map();
  }

  private _onMessage(content: IPointsMessage): void {
    if (content?.type !== 'points' && content?.type !== 'snapshot') {
      return;
    }
    this._series = mergePoints(this.series, content.type, content.series ?? []);
    this.trigger('points');
  }

  private _series: SeriesStore | undefined;
}

function useSeries(model: LiveMetricsModel): SeriesStore {
  const [series, setSeries] = React.useState(model.series);
  React.useEffect(() => {
    const update = (): void => setSeries(model.series);
    model.on('points', update);
    update();
    return () => {
      model.off('points', update);
    };
  }, [model]);
  return series;
}

/** Charts (one per metric key) with smoothing, x-axis and log-scale controls. */
export function LiveMetricsPanel(props: {
  model: LiveMetricsModel;
}): JSX.Element {
  const { model } = props;
  const series = useSeries(model);
  const xAxis = useModelValue<XAxisKind>(model, 'x_axis');
  const logScale = useModelValue<boolean>(model, 'log_scale');
  const smoothing = useModelValue<number>(model, 'smoothing');
  const status = useModelValue<string>(model, 'status');
  const title = useModelValue<string>(model, 'title');
  const height = useModelValue<number>(model, 'height');
  const charts = React.useMemo(
    () => chartsByKey(series.values(), xAxis),
    [series, xAxis]
  );
  const points = countPoints(series);
  return (
    <div
      className="mlops-LiveMetrics"
      data-status={status}
      data-point-count={points}
    >
      <LiveMetricsToolbar
        model={model}
        title={title}
        status={status}
        points={points}
        xAxis={xAxis}
        smoothing={smoothing}
        logScale={logScale}
      />
      {charts.length === 0 ? (
        <div className="mlops-WidgetEmpty">Waiting for metrics…</div>
      ) : (
        charts.map(chart => (
          <MetricChart
            key={chart.key}
            title={chart.key}
            series={chart.series}
            xAxis={xAxis}
            logScale={logScale}
            smoothing={smoothing}
            height={height}
            syncKey={`live-${model.model_id}`}
          />
        ))
      )}
    </div>
  );
}

export class LiveMetricsView extends ReactDOMWidgetView {
  protected element(): React.ReactElement {
    return <LiveMetricsPanel model={this.model as LiveMetricsModel} />;
  }
}
