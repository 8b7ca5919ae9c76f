// Only the echarts parts we use, so the bundle stays small.
import * as echarts from 'echarts/core';
import { ParallelChart, ScatterChart } from 'echarts/charts';
import {
  GridComponent,
  ParallelComponent,
  TooltipComponent,
  VisualMapComponent
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

export type EChartsInstance = echarts.ECharts;

let registered = false;

/**
 * Start an echarts instance in `element`, registering the parts we use
 * first. Registration happens here, in a call, not as an import side effect:
 * the package is marked side-effect free, so the bundler may skip a module
 * that only runs code when imported.
 */
export function initECharts(element: HTMLElement): EChartsInstance {
  if (!registered) {
    echarts.use([
      ParallelChart,
      ScatterChart,
      GridComponent,
      ParallelComponent,
      TooltipComponent,
      VisualMapComponent,
      CanvasRenderer
    ]);
    registered = true;
  }
  return echarts.init(element, undefined, { renderer: 'canvas' });
}
