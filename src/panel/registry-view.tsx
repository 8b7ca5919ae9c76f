import { Dialog, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import { ErrorBanner } from '../components/error-banner';
import { formatRelativeTime } from '../format';
import { describeError, IErrorState } from '../model';
import { formatTimestamp } from './cell-format';
import { PanelCommandIDs } from './commands';
import type { IPanelContext } from './context';
import type { IModelVersion, IRegisteredModel } from './registry-api';
import { TagsEditor } from './tags-editor';

export interface IRegistryViewProps {
  ctx: IPanelContext;
  initialModel?: string;
}

/**
 * The model registry: models on the left; the chosen model's versions,
 * aliases (set, move, remove) and tags on the right, each version linked to
 * the run it came from.
 */
export function RegistryView(props: IRegistryViewProps): JSX.Element {
  const { ctx } = props;
  const { registry, trans } = ctx;
  const [models, setModels] = React.useState<IRegisteredModel[] | null>(null);
  const [search, setSearch] = React.useState('');
  const [selected, setSelected] = React.useState<string | null>(
    props.initialModel ?? null
  );
  const [model, setModel] = React.useState<IRegisteredModel | null>(null);
  const [versions, setVersions] = React.useState<IModelVersion[]>([]);
  const [error, setError] = React.useState<IErrorState | null>(null);
  const [reloads, setReloads] = React.useState(0);
  const reload = () => setReloads(n => n + 1);

  React.useEffect(() => {
    const filter = search.trim()
      ? `name ILIKE '%${search.trim().replace(/'/g, "''")}%'`
      : undefined;
    registry
      .searchModels({ filter, maxResults: 1000 })
      .then(page => {
        setModels(page.items);
        setError(null);
        if (selected === null && page.items.length > 0) {
          setSelected(page.items[0].name);
        }
      })
      .catch(reason => setError(describeError(reason)));
  }, [registry, search, reloads]);

  React.useEffect(() => {
    if (!selected) {
      setModel(null);
      setVersions([]);
      return;
    }
    Promise.all([
      registry.getModel(selected),
      registry.listVersions(selected, { maxResults: 1000 })
    ])
      .then(([m, page]) => {
        setModel(m);
        setVersions(
          [...page.items].sort((a, b) => Number(b.version) - Number(a.version))
        );
      })
      .catch(reason => setError(describeError(reason)));
  }, [registry, selected, reloads]);

  const act = async (action: () => Promise<unknown>) => {
    try {
      await action();
      setError(null);
      reload();
    } catch (reason) {
      setError(describeError(reason));
      throw reason;
    }
  };

  const now = Date.now();
  return (
    <div className="mlops-RegistryView">
      <aside className="mlops-RegistryView-models">
        <header>
          <h2>{trans.__('Models')}</h2>
        </header>
        <input
          type="search"
          className="jp-mod-styled mlops-RegistryView-search"
          placeholder={trans.__('Find a model')}
          value={search}
          onChange={event => setSearch(event.target.value)}
        />
        {models === null ? (
          <p className="mlops-Placeholder">{trans.__('Loading models…')}</p>
        ) : models.length === 0 ? (
          <p className="mlops-Placeholder">
            {trans.__(
              'No models yet. Open a run, select an artifact folder and press "Register model".'
            )}
          </p>
        ) : (
          <ul role="listbox" aria-label={trans.__('Models')}>
            {models.map(m => (
              <li
                key={m.name}
                role="option"
                tabIndex={0}
                aria-selected={m.name === selected}
                data-model={m.name}
                className={`mlops-RegistryView-model${m.name === selected ? ' jp-mod-selected' : ''}`}
                onClick={() => setSelected(m.name)}
                onKeyDown={event => {
                  if (event.key === 'Enter') {
                    setSelected(m.name);
                  }
                }}
              >
                <span className="mlops-RegistryView-modelName">{m.name}</span>
                <span className="mlops-Muted">
                  {trans.__(
                    'v%1 · %2',
                    m.latest_versions?.[0]?.version ?? '—',
                    formatRelativeTime(m.last_updated_timestamp, now)
                  )}
                </span>
              </li>
            ))}
          </ul>
        )}
      </aside>
      <main className="mlops-RegistryView-detail">
        {error && <ErrorBanner error={error} onRetry={reload} trans={trans} />}
        {model ? (
          <ModelDetail
            ctx={ctx}
            model={model}
            versions={versions}
            act={act}
            onDeleted={() => {
              setSelected(null);
              reload();
            }}
          />
        ) : (
          <p className="mlops-Placeholder">{trans.__('Select a model.')}</p>
        )}
      </main>
    </div>
  );
}

interface IModelDetailProps {
  ctx: IPanelContext;
  model: IRegisteredModel;
  versions: IModelVersion[];
  act: (action: () => Promise<unknown>) => Promise<void>;
  onDeleted: () => void;
}

function ModelDetail(props: IModelDetailProps): JSX.Element {
  const { ctx, model, versions, act } = props;
  const { registry, trans } = ctx;
  const [alias, setAlias] = React.useState('');
  const [aliasVersion, setAliasVersion] = React.useState('');
  const aliases = Object.entries(model.aliases ?? {}).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  const targetVersion = aliasVersion || versions[0]?.version || '';
  // Whose tags the version-tags editor shows: the chosen version, else the newest.
  const [tagsVersion, setTagsVersion] = React.useState('');
  const shownVersion =
    versions.find(v => v.version === tagsVersion) ?? versions[0] ?? null;

  const remove = async () => {
    const answer = await showDialog({
      title: trans.__('Delete model'),
      body: trans.__('Delete "%1" and all its versions?', model.name),
      buttons: [
        Dialog.cancelButton(),
        Dialog.warnButton({ label: trans.__('Delete') })
      ]
    });
    if (answer.button.accept) {
      await act(() => registry.deleteModel(model.name)).then(
        props.onDeleted,
        () => undefined
      );
    }
  };

  return (
    <div className="mlops-ModelDetail" data-model={model.name}>
      <header className="mlops-ModelDetail-header">
        <h1>{model.name}</h1>
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-warn"
          onClick={() => void remove()}
        >
          {trans.__('Delete model')}
        </button>
      </header>
      {model.description && <p>{model.description}</p>}
      <p className="mlops-Muted">
        {trans.__(
          'Owner %1 · created %2',
          model.owner || '—',
          formatTimestamp(model.creation_timestamp)
        )}
      </p>

      <section className="mlops-ModelDetail-aliases">
        <h3>{trans.__('Aliases')}</h3>
        {aliases.length === 0 ? (
          <p className="mlops-Muted">
            {trans.__(
              'No aliases. Give a version one (e.g. champion) to load it by name.'
            )}
          </p>
        ) : (
          <table className="mlops-KeyValueTable">
            <tbody>
              {aliases.map(([name, version]) => (
                <tr key={name} data-alias={name}>
                  <th scope="row">@{name}</th>
                  <td className="mlops-ModelDetail-aliasVersion">
                    {trans.__('version %1', version)}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="mlops-IconButton"
                      title={trans.__('Remove alias %1', name)}
                      aria-label={trans.__('Remove alias %1', name)}
                      onClick={() =>
                        void act(() =>
                          registry.deleteAlias(model.name, name)
                        ).catch(() => undefined)
                      }
                    >
                      ×
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <form
          className="mlops-ModelDetail-setAlias"
          onSubmit={event => {
            event.preventDefault();
            const name = alias.trim().replace(/^@/, '');
            if (!name || !targetVersion) {
              return;
            }
            void act(() => registry.setAlias(model.name, name, targetVersion))
              .then(() => setAlias(''))
              .catch(() => undefined);
          }}
        >
          <input
            className="jp-mod-styled mlops-ModelDetail-aliasName"
            placeholder={trans.__('alias, e.g. champion')}
            aria-label={trans.__('Alias')}
            value={alias}
            list="mlops-alias-names"
            onChange={event => setAlias(event.target.value)}
          />
          <datalist id="mlops-alias-names">
            {aliases.map(([name]) => (
              <option key={name} value={name} />
            ))}
          </datalist>
          <select
            className="jp-mod-styled mlops-ModelDetail-aliasTarget"
            aria-label={trans.__('Version')}
            value={targetVersion}
            onChange={event => setAliasVersion(event.target.value)}
          >
            {versions.map(v => (
              <option key={v.version} value={v.version}>
                {trans.__('version %1', v.version)}
              </option>
            ))}
          </select>
          <button
            type="submit"
            className="jp-Button jp-mod-styled jp-mod-accept mlops-ModelDetail-aliasSet"
            disabled={!alias.trim() || !targetVersion}
          >
            {model.aliases?.[alias.trim().replace(/^@/, '')]
              ? trans.__('Move alias')
              : trans.__('Set alias')}
          </button>
        </form>
      </section>

      <section className="mlops-ModelDetail-versions">
        <h3>{trans.__('Versions')}</h3>
        {versions.length === 0 ? (
          <p className="mlops-Muted">{trans.__('No versions.')}</p>
        ) : (
          <table className="mlops-VersionsTable">
            <thead>
              <tr>
                <th>{trans.__('Version')}</th>
                <th>{trans.__('Aliases')}</th>
                <th>{trans.__('Registered')}</th>
                <th>{trans.__('Status')}</th>
                <th>{trans.__('Source run')}</th>
                <th>{trans.__('Source')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {versions.map(v => (
                <tr key={v.version} data-version={v.version}>
                  <td>{v.version}</td>
                  <td>
                    {(v.aliases ?? []).map(a => (
                      <span key={a} className="mlops-AliasChip">
                        @{a}
                      </span>
                    ))}
                  </td>
                  <td title={formatTimestamp(v.creation_timestamp)}>
                    {formatRelativeTime(v.creation_timestamp, Date.now())}
                  </td>
                  <td>{v.status}</td>
                  <td>
                    {v.run_id ? (
                      <button
                        type="button"
                        className="mlops-LinkButton mlops-VersionsTable-run"
                        onClick={() =>
                          void ctx.commands.execute(PanelCommandIDs.openRun, {
                            runId: v.run_id!
                          })
                        }
                      >
                        {v.run_id.slice(0, 8)}
                      </button>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td
                    className="mlops-Code mlops-VersionsTable-source"
                    title={v.source}
                  >
                    {v.source}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="mlops-IconButton"
                      title={trans.__('Delete version %1', v.version)}
                      aria-label={trans.__('Delete version %1', v.version)}
                      onClick={() =>
                        void act(() =>
                          registry.deleteVersion(model.name, v.version)
                        ).catch(() => undefined)
                      }
                    >
                      ×
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {shownVersion && (
        <section className="mlops-ModelDetail-versionTags">
          <h3>
            <label>
              {trans.__('Tags of version')}{' '}
              <select
                className="mlops-VersionTags-select"
                aria-label={trans.__('Version whose tags to show')}
                value={shownVersion.version}
                onChange={event => setTagsVersion(event.target.value)}
              >
                {versions.map(v => (
                  <option key={v.version} value={v.version}>
                    {v.version}
                  </option>
                ))}
              </select>
            </label>
          </h3>
          <TagsEditor
            tags={shownVersion.tags ?? {}}
            onSet={(key, value) =>
              act(() =>
                registry.setVersionTag(
                  model.name,
                  shownVersion.version,
                  key,
                  value
                )
              )
            }
            onDelete={key =>
              act(() =>
                registry.deleteVersionTag(model.name, shownVersion.version, key)
              )
            }
            trans={trans}
          />
        </section>
      )}

      <section className="mlops-ModelDetail-tags">
        <h3>{trans.__('Tags of the model')}</h3>
        <TagsEditor
          tags={model.tags ?? {}}
          onSet={(key, value) =>
            act(() => registry.setModelTag(model.name, key, value))
          }
          onDelete={key => act(() => registry.deleteModelTag(model.name, key))}
          trans={trans}
        />
      </section>
    </div>
  );
}
