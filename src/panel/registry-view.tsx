import * as React from 'react';

import { ErrorBanner } from '../components/error-banner';
import { describeError, IErrorState } from '../model';
import type { IPanelContext } from './context';
import { ModelDetail } from './model-detail';
import { ModelList } from './model-list';
import type { IModelPageSection } from './model-sections';
import type { IRegisteredModel } from './registry-api';
import { useModelVersions } from './use-model-versions';
import { useShownCount } from './use-shown-count';

export interface IRegistryViewProps {
  ctx: IPanelContext;
  initialModel?: string;
  /** Whether the view is on screen: models are read again when it comes back. */
  visible?: boolean;
  /**
   * Sections other views add to the model page: the extension point where
   * model deployments will show (none yet).
   */
  modelSections?: readonly IModelPageSection[];
}

/**
 * The model registry: models on the left; the chosen model's page on the
 * right: description, load snippet, aliases (set, move, remove), versions
 * linked to the runs they came from, a version's signature, input example and
 * lineage, and tags.
 */
export function RegistryView(props: IRegistryViewProps): JSX.Element {
  const { ctx } = props;
  const { registry, trans } = ctx;
  const [models, setModels] = React.useState<IRegisteredModel[] | null>(null);
  const [search, setSearch] = React.useState('');
  const [selected, setSelected] = React.useState<string | null>(
    props.initialModel ?? null
  );
  const [error, setError] = React.useState<IErrorState | null>(null);
  const [ownReloads, setReloads] = React.useState(0);
  const reload = () => setReloads(n => n + 1);
  // Models registered while the tab was hidden appear when it is shown again.
  const reloads = ownReloads + useShownCount(props.visible ?? true);

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

  const { model, versions } = useModelVersions(
    registry,
    selected,
    reloads,
    setError
  );

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

  return (
    <div className="mlops-RegistryView">
      <ModelList
        models={models}
        selected={selected}
        onSelect={setSelected}
        search={search}
        onSearch={setSearch}
        trans={trans}
      />
      <main className="mlops-RegistryView-detail">
        {error && <ErrorBanner error={error} onRetry={reload} trans={trans} />}
        {model ? (
          <ModelDetail
            ctx={ctx}
            model={model}
            versions={versions}
            act={act}
            sections={props.modelSections}
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
