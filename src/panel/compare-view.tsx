import * as React from 'react';

import type { IRun } from '../api';
import { ParallelCoordinates } from '../charts/parallel-coordinates';
import { seriesColor } from '../charts/palette';
import { ScatterChart } from '../charts/scatter-chart';
import { ErrorBanner } from '../components/error-banner';
import { isActiveStatus } from '../format';
import { describeError, IErrorState } from '../model';
import { ChartControls, IChartOptions } from './chart-controls';
import { columnId } from './columns';
import { columnTitle } from './cell-format';
import { PanelCommandIDs } from './commands';
import {
  diffParams,
  metricKeysOf,
  parallelRows,
  runLabel,
  scatterPoints
} from './compare-logic';
import type { IPanelContext } from './context';
import { HistoryCache } from './history-cache';
import { MetricGrid } from './metric-grid';
import { ParamsDiff } from './params-diff';
import { useInterval, useSignalState } from './use-signal-state';

/** Parallel coordinates start with at most this many metric axes. */
const PARALLEL_METRICS = 4;

export interface ICompareViewProps {
  ctx: IPanelContext;
  runIds: string[];
  visible: boolean;
}

/**
 * Runs side by side, from one experiment or several: overlaid metric charts
 * (optionally grouped by a param into mean and band), params with their
 * differences, parallel coordinates, and a scatter of any two values.
 */
export function CompareView(props: ICompareViewProps): JSX.Element {
  const { ctx, runIds, visible } = props;
  const { api, trans } = ctx;
  const settings = useSignalState(
    ctx.settings.changed,
    () => ctx.settings.current
  );
  const [runs, setRuns] = React.useState<IRun[] | null>(null);
  const [error, setError] = React.useState<IErrorState | null>(null);
  const [version, setVersion] = React.useState(0);
  const cache = React.useMemo(() => new HistoryCache(api), [api]);
  const [chartOptions, setChartOptions] = React.useState<IChartOptions>(() => ({
    xAxis: settings.chartXAxis,
    smoothing: settings.chartSmoothing,
    logScale: false,
    layout: 'grid',
    groupBy: null,
    band: 'minmax'
  }));
  const [colorBy, setColorBy] = React.useState<string>('');
  const [scatterX, setScatterX] = React.useState<string>('');
  const [scatterY, setScatterY] = React.useState<string>('');

  const load = React.useCallback(async () => {
    try {
      const loaded = await Promise.all(runIds.map(id => api.getRun(id)));
      setRuns(loaded);
      setError(null);
    } catch (reason) {
      setError(describeError(reason));
    }
  }, [api, runIds.join(',')]);

  React.useEffect(() => {
    void load();
  }, [load]);

  const active = (runs ?? []).some(r => isActiveStatus(r.info.status));
  useInterval(
    () => {
      void load().then(() => {
        runs
          ?.filter(r => isActiveStatus(r.info.status))
          .forEach(r => cache.invalidate(r.info.run_id));
        setVersion(v => v + 1);
      });
    },
    settings.refreshInterval,
    visible && active
  );

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
  const parallel = React.useMemo(
    () => parallelRows(runs ?? [], dimensions),
    [runs, dimensions]
  );
  const x =
    scatterX ||
    valueColumns.find(c => c.startsWith('params.')) ||
    valueColumns[0] ||
    '';
  const y =
    scatterY ||
    valueColumns.find(c => c.startsWith('metrics.')) ||
    valueColumns[0] ||
    '';
  const points = React.useMemo(
    () =>
      scatterPoints(runs ?? [], x, y).map((p, i) => ({
        ...p,
        color: seriesColor(i)
      })),
    [runs, x, y]
  );

  if (runs === null) {
    return (
      <div className="mlops-CompareView">
        {error ? (
          <ErrorBanner
            error={error}
            onRetry={() => void load()}
            trans={trans}
          />
        ) : (
          <div className="mlops-Placeholder">{trans.__('Loading runs…')}</div>
        )}
      </div>
    );
  }

  const colors = runs.map((_, i) => seriesColor(i));
  const openRun = (runId: string) =>
    void ctx.commands.execute(PanelCommandIDs.openRun, { runId });
  return (
    <div className="mlops-CompareView">
      <header className="mlops-CompareView-header">
        <h1>{trans.__('Comparing %1 runs', runs.length)}</h1>
        <ul className="mlops-CompareView-runs">
          {runs.map((run, i) => (
            <li key={run.info.run_id}>
              <span
                className="mlops-ColorChip"
                style={{ background: colors[i] }}
                aria-hidden
              />
              <button
                type="button"
                className="mlops-LinkButton"
                onClick={() => openRun(run.info.run_id)}
              >
                {runLabel(run)}
              </button>
            </li>
          ))}
        </ul>
      </header>
      {error && (
        <ErrorBanner error={error} onRetry={() => void load()} trans={trans} />
      )}
      <section className="mlops-CompareView-section mlops-CompareView-metrics">
        <h2>{trans.__('Metrics')}</h2>
        <ChartControls
          options={chartOptions}
          onChange={setChartOptions}
          groupKeys={paramKeys}
          trans={trans}
        />
        <MetricGrid
          runs={runs}
          keys={metricKeys}
          options={chartOptions}
          cache={cache}
          version={version}
          trans={trans}
        />
      </section>
      <section className="mlops-CompareView-section mlops-CompareView-params">
        <h2>{trans.__('Params')}</h2>
        <ParamsDiff runs={runs} colors={colors} trans={trans} />
      </section>
      {dimensions.length >= 2 && (
        <section className="mlops-CompareView-section mlops-CompareView-parallel">
          <h2>{trans.__('Parallel coordinates')}</h2>
          <label>
            {trans.__('Colour by')}{' '}
            <select
              className="jp-mod-styled"
              value={colorBy}
              onChange={event => setColorBy(event.target.value)}
            >
              <option value="">{trans.__('run')}</option>
              {dimensions.map(d => (
                <option key={d} value={d}>
                  {columnTitle(d)}
                </option>
              ))}
            </select>
          </label>
          <ParallelCoordinates
            dimensions={dimensions}
            rows={parallel}
            colorBy={colorBy || undefined}
            onRowClick={openRun}
          />
        </section>
      )}
      {valueColumns.length >= 1 && (
        <section className="mlops-CompareView-section mlops-CompareView-scatter">
          <h2>{trans.__('Scatter')}</h2>
          <div className="mlops-CompareView-axes">
            <label>
              {trans.__('X')}{' '}
              <select
                className="jp-mod-styled mlops-CompareView-scatterX"
                value={x}
                onChange={event => setScatterX(event.target.value)}
              >
                {valueColumns.map(c => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {trans.__('Y')}{' '}
              <select
                className="jp-mod-styled mlops-CompareView-scatterY"
                value={y}
                onChange={event => setScatterY(event.target.value)}
              >
                {valueColumns.map(c => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <ScatterChart
            points={points}
            xLabel={columnTitle(x)}
            yLabel={columnTitle(y)}
            onPointClick={openRun}
          />
        </section>
      )}
    </div>
  );
}
