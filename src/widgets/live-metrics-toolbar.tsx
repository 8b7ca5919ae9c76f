import type { WidgetModel } from '@jupyter-widgets/base';
import * as React from 'react';

import type { XAxisKind } from '../charts/types';
import { setModelValue } from './react-view';

const X_AXES: { value: XAxisKind; label: string }[] = [
  { value: 'step', label: 'Step' },
  { value: 'time', label: 'Time' },
  { value: 'relative', label: 'Relative time' }
];

/**
 * The live metrics widget's title and status, and its x-axis, smoothing and
 * log-scale controls (synced traits of the model).
 */
export function LiveMetricsToolbar(props: {
  model: WidgetModel;
  title: string;
  status: string;
  points: number;
  xAxis: XAxisKind;
  smoothing: number;
  logScale: boolean;
}): JSX.Element {
  const { model, title } = props;
  return (
    <div className="mlops-WidgetToolbar">
      {title && <strong className="mlops-WidgetTitle">{title}</strong>}
      <span className="mlops-WidgetStatus">
        {props.status} · {props.points} points
      </span>
      <label>
        x
        <select
          value={props.xAxis}
          onChange={e => setModelValue(model, 'x_axis', e.target.value)}
        >
          {X_AXES.map(a => (
            <option key={a.value} value={a.value}>
              {a.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        smoothing
        <input
          type="range"
          min={0}
          max={0.99}
          step={0.01}
          value={props.smoothing}
          onChange={e =>
            setModelValue(model, 'smoothing', Number(e.target.value))
          }
        />
      </label>
      <label>
        <input
          type="checkbox"
          checked={props.logScale}
          onChange={e => setModelValue(model, 'log_scale', e.target.checked)}
        />
        log scale
      </label>
    </div>
  );
}
