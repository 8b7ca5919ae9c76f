import * as React from 'react';

import type { IRun } from '../api';
import { StatusBadge } from '../components/status-badge';
import { ErrorBanner } from '../components/error-banner';
import { isActiveStatus } from '../format';
import { describeError, IErrorState } from '../model';
import { ArtifactBrowser } from './artifact-browser';
import { ChartControls, IChartOptions } from './chart-controls';
import { PanelCommandIDs } from './commands';
import type { IPanelContext } from './context';
import { HistoryCache, pointsForWidth } from './history-cache';
import { MetricGrid } from './metric-grid';
import { NOTE_TAG, NotesEditor } from './notes-editor';
import { registerModelFromRun } from './register-model';
import type { IModelVersion } from './registry-api';
import { RunInputs, registrationsByModel, runModelIds } from './run-inputs';
import { RunOverview } from './run-overview';
import { TagsEditor } from './tags-editor';
import { useInterval, useSignalState } from './use-signal-state';

type Tab = 'overview' | 'metrics' | 'artifacts';

/** Charts whose data the run view fetches before the Metrics tab opens. */
const PREFETCH_CHARTS = 6;

export interface IRunViewProps {
  ctx: IPanelContext;
  runId: string;
  visible: boolean;
  /** Told the run's name once it is known (for the tab's title). */
  onName?: (name: string) => void;
}

/**
 * One run: overview (with params, tags and notes), metric charts, and
 * artifacts with previews and model registration. A running run refreshes.
 */
export function RunView(props: IRunViewProps): JSX.Element {
  const { ctx, runId, visible } = props;
  const { api, trans } = ctx;
  const settings = useSignalState(
    ctx.settings.changed,
    () => ctx.settings.current
  );
  const [run, setRun] = React.useState<IRun | null>(null);
  const [experimentName, setExperimentName] = React.useState<string | null>(
    null
  );
  const [error, setError] = React.useState<IErrorState | null>(null);
  const [notice, setNotice] = React.useState<string | null>(null);
  const [tab, setTab] = React.useState<Tab>('overview');
  const [now, setNow] = React.useState(Date.now());
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

  const load = React.useCallback(async () => {
    try {
      const loaded = await api.getRun(runId);
      setRun(loaded);
      if (loaded.info.run_name) {
        props.onName?.(loaded.info.run_name);
      }
      setError(null);
      return loaded;
    } catch (reason) {
      setError(describeError(reason));
      return null;
    }
  }, [api, runId]);

  React.useEffect(() => {
    void load().then(loaded => {
      if (loaded) {
        // Fetch the first charts' data while the user reads the overview, at
        // the resolution of a chart as wide as the window (a narrower chart
        // reuses it), so the Metrics tab draws without waiting for the server.
        const points = pointsForWidth(window.innerWidth);
        Object.keys(loaded.metrics)
          .sort()
          .slice(0, PREFETCH_CHARTS)
          .forEach(key => {
            cache.get(runId, key, points).catch(() => undefined);
          });
        api
          .getExperiment(loaded.info.experiment_id)
          .then(e => setExperimentName(e.name))
          .catch(() => undefined);
      }
    });
  }, [load]);

  // The registered versions of the logged models the run used or produced, for
  // links to the registry; looked up again only when that set of models changes.
  const [registrations, setRegistrations] = React.useState<
    Record<string, IModelVersion[]>
  >({});
  const modelIds = run ? runModelIds(run).join(',') : '';
  React.useEffect(() => {
    if (!modelIds) {
      setRegistrations({});
      return;
    }
    const quoted = modelIds
      .split(',')
      .map(id => `'${id}'`)
      .join(', ');
    let current = true;
    ctx.registry
      .searchVersions({ filter: `model_id IN (${quoted})`, maxResults: 1000 })
      .then(page => {
        if (current) {
          setRegistrations(registrationsByModel(page.items));
        }
      })
      // Only the links are missing then; the models are still listed.
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [ctx.registry, modelIds]);

  const active = run !== null && isActiveStatus(run.info.status);
  useInterval(
    () => {
      setNow(Date.now());
      void load().then(() => {
        cache.invalidate(runId);
        setVersion(v => v + 1);
      });
    },
    settings.refreshInterval,
    visible && active
  );

  // Tags (and notes) are written to the server, then the run is re-read.
  const write = async (action: () => Promise<void>) => {
    try {
      await action();
      await load();
    } catch (reason) {
      setError(describeError(reason));
      throw reason;
    }
  };

  const register = async (path: string) => {
    try {
      const version = await registerModelFromRun(
        ctx.registry,
        runId,
        path,
        trans
      );
      if (version) {
        setNotice(
          trans.__('Registered %1 version %2.', version.name, version.version)
        );
        setError(null);
      }
    } catch (reason) {
      setError(describeError(reason));
    }
  };

  if (run === null) {
    return (
      <div className="mlops-RunView">
        {error ? (
          <ErrorBanner
            error={error}
            onRetry={() => void load()}
            trans={trans}
          />
        ) : (
          <div className="mlops-Placeholder">{trans.__('Loading run…')}</div>
        )}
      </div>
    );
  }

  const metricKeys = Object.keys(run.metrics).sort();
  return (
    <div className="mlops-RunView" data-run-id={runId}>
      <header className="mlops-RunView-header">
        <h1 className="mlops-RunView-title">{run.info.run_name || runId}</h1>
        <StatusBadge
          status={run.info.status}
          label={run.info.status.toLowerCase()}
        />
        <nav className="mlops-Tabs" role="tablist">
          {(['overview', 'metrics', 'artifacts'] as Tab[]).map(name => (
            <button
              key={name}
              type="button"
              role="tab"
              aria-selected={tab === name}
              className={`mlops-Tab${tab === name ? ' jp-mod-current' : ''}`}
              onClick={() => setTab(name)}
            >
              {name === 'overview'
                ? trans.__('Overview')
                : name === 'metrics'
                  ? trans.__('Metrics (%1)', metricKeys.length)
                  : trans.__('Artifacts')}
            </button>
          ))}
        </nav>
      </header>
      {error && (
        <ErrorBanner error={error} onRetry={() => void load()} trans={trans} />
      )}
      {notice && (
        <div className="mlops-Notice" role="status">
          {notice}
          <button
            type="button"
            className="mlops-LinkButton"
            onClick={() =>
              void ctx.commands.execute(PanelCommandIDs.openRegistry, {})
            }
          >
            {trans.__('Open the registry')}
          </button>
        </div>
      )}
      <div className="mlops-RunView-body">
        {tab === 'overview' && (
          <div className="mlops-RunView-overview">
            <RunOverview
              run={run}
              experimentName={experimentName}
              now={now}
              onOpenNotebook={path =>
                void ctx.commands.execute('docmanager:open', { path })
              }
              onOpenRun={id =>
                void ctx.commands.execute(PanelCommandIDs.openRun, {
                  runId: id
                })
              }
              trans={trans}
            />
            <RunInputs
              run={run}
              registrations={registrations}
              onOpenRegistry={model =>
                void ctx.commands.execute(PanelCommandIDs.openRegistry, {
                  model
                })
              }
              trans={trans}
            />
            <section className="mlops-RunView-tags">
              <h3>{trans.__('Tags')}</h3>
              <TagsEditor
                tags={run.tags}
                hidden={key => key === NOTE_TAG}
                onSet={(key, value) =>
                  write(() => api.setRunTags(runId, { [key]: value }))
                }
                onDelete={key => write(() => api.deleteRunTag(runId, key))}
                trans={trans}
              />
            </section>
            <section className="mlops-RunView-notes">
              <h3>{trans.__('Notes')}</h3>
              <NotesEditor
                text={run.tags[NOTE_TAG] ?? ''}
                rendermime={ctx.rendermime}
                onSave={text =>
                  write(() => api.setRunTags(runId, { [NOTE_TAG]: text }))
                }
                trans={trans}
              />
            </section>
          </div>
        )}
        {tab === 'metrics' && (
          <div className="mlops-RunView-metrics">
            <ChartControls
              options={chartOptions}
              onChange={setChartOptions}
              trans={trans}
            />
            <MetricGrid
              runs={[run]}
              keys={metricKeys}
              options={chartOptions}
              cache={cache}
              version={version}
              trans={trans}
            />
          </div>
        )}
        {tab === 'artifacts' && (
          <ArtifactBrowser
            api={api}
            runId={runId}
            rendermime={ctx.rendermime}
            onRegister={path => void register(path)}
            trans={trans}
          />
        )}
      </div>
    </div>
  );
}
