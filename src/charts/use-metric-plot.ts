import * as React from 'react';
import uPlot from 'uplot';

import type { IChartModel } from './series';
import {
  buildOptions,
  hideBandLegendRows,
  IBuildOptions
} from './uplot-options';

/**
 * A uPlot chart of `model` in the `.mlops-MetricChart-plot` element of the
 * container: rebuilt only when its `shape` changes; new data goes through
 * setData (keeping the user's zoom) and a new size through setSize.
 */
export function useMetricPlot(
  containerRef: React.RefObject<HTMLDivElement>,
  model: IChartModel,
  shape: string,
  drawable: boolean,
  settings: Omit<IBuildOptions, 'onZoom'>
): void {
  const plotRef = React.useRef<uPlot | null>(null);
  const zoomedRef = React.useRef(false);
  const { width, height } = settings;

  React.useEffect(() => {
    const container = containerRef.current;
    if (!container || width <= 0 || !drawable) {
      return;
    }
    const options = buildOptions(model, {
      ...settings,
      onZoom: zoomed => {
        zoomedRef.current = zoomed;
      }
    });
    const plot = new uPlot(
      options,
      model.data as uPlot.AlignedData,
      container.querySelector<HTMLElement>('.mlops-MetricChart-plot')!
    );
    hideBandLegendRows(plot, model);
    plotRef.current = plot;
    zoomedRef.current = false;
    const onDoubleClick = () => {
      zoomedRef.current = false;
    };
    plot.over.addEventListener('dblclick', onDoubleClick);
    return () => {
      plot.over.removeEventListener('dblclick', onDoubleClick);
      plot.destroy();
      plotRef.current = null;
    };
    // Data and size changes are applied by the effects below, not by a rebuild.
  }, [shape, settings.theme, drawable, width > 0]);

  React.useEffect(() => {
    const plot = plotRef.current;
    if (plot && plot.data !== (model.data as uPlot.AlignedData)) {
      plot.setData(model.data as uPlot.AlignedData, !zoomedRef.current);
    }
  }, [model]);

  React.useEffect(() => {
    const plot = plotRef.current;
    if (plot && width > 0) {
      plot.setSize({ width, height });
    }
  }, [width, height]);
}
