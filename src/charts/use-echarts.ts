import * as React from 'react';

import { EChartsInstance, initECharts } from './echarts-setup';

/**
 * Mount an echarts instance in the element `ref` points to, keep it sized to
 * the element, give it `option` (replacing the previous one), and dispose of
 * it on unmount. `onClick` receives the clicked data item's id.
 */
export function useECharts(
  ref: React.RefObject<HTMLDivElement | null>,
  option: Record<string, unknown> | null,
  onClick?: (id: string) => void
): void {
  const chartRef = React.useRef<EChartsInstance | null>(null);
  const clickRef = React.useRef(onClick);
  clickRef.current = onClick;

  React.useEffect(() => {
    const element = ref.current;
    if (!element) {
      return;
    }
    const chart = initECharts(element);
    chartRef.current = chart;
    chart.on('click', params => {
      const data = params.data as { id?: string } | undefined;
      if (data && typeof data.id === 'string' && clickRef.current) {
        clickRef.current(data.id);
      }
    });
    const observer =
      typeof ResizeObserver === 'undefined'
        ? null
        : new ResizeObserver(() => chart.resize());
    observer?.observe(element);
    return () => {
      observer?.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, [ref]);

  React.useEffect(() => {
    if (chartRef.current && option) {
      chartRef.current.setOption(option, { notMerge: true });
    }
  }, [option]);
}
