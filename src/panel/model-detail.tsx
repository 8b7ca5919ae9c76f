import * as React from 'react';

import { AliasTable } from './alias-table';
import { PanelCommandIDs } from './commands';
import type { IPanelContext } from './context';
import { ModelHeader } from './model-header';
import { ModelLoadSnippet } from './model-load-snippet';
import type { IModelPageSection } from './model-sections';
import type { IModelVersion, IRegisteredModel } from './registry-api';
import { SetAliasForm } from './set-alias-form';
import { TagsEditor } from './tags-editor';
import { useRunsById } from './use-run-names';
import { VersionDetails } from './version-details';
import { VersionTags } from './version-tags';
import { VersionsTable } from './versions-table';

/** Run a change to the registry, then read it again; rejects on failure. */
export type RegistryAction = (action: () => Promise<unknown>) => Promise<void>;

export interface IModelDetailProps {
  ctx: IPanelContext;
  model: IRegisteredModel;
  versions: IModelVersion[];
  act: RegistryAction;
  onDeleted: () => void;
  /** Sections added by other views (deployments, once they exist). */
  sections?: readonly IModelPageSection[];
}

/**
 * One registered model: its description, how to load it, its aliases, its
 * versions with their source runs' names and metrics, one version in depth
 * (signature, input example, lineage), and the tags of both.
 */
export function ModelDetail(props: IModelDetailProps): JSX.Element {
  const { ctx, model, versions, act } = props;
  const { registry, trans } = ctx;
  const runs = useRunsById(
    ctx.api,
    versions.map(v => v.run_id)
  );
  const name = model.name;
  const aliases = Object.entries(model.aliases ?? {}).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  const quietly = (action: () => Promise<unknown>) =>
    void act(action).catch(() => undefined);
  const openRun = (runId: string) =>
    void ctx.commands.execute(PanelCommandIDs.openRun, { runId });

  return (
    <div className="mlops-ModelDetail" data-model={name}>
      <ModelHeader
        model={model}
        onDelete={() =>
          act(() => registry.deleteModel(name)).then(
            props.onDeleted,
            () => undefined
          )
        }
        onDescribe={description =>
          act(() => registry.updateModel(name, { description }))
        }
        trans={trans}
      />
      <ModelLoadSnippet model={model} versions={versions} trans={trans} />
      <section className="mlops-ModelDetail-aliases">
        <h3>{trans.__('Aliases')}</h3>
        <AliasTable
          aliases={aliases}
          onRemove={alias => quietly(() => registry.deleteAlias(name, alias))}
          trans={trans}
        />
        <SetAliasForm
          aliases={model.aliases ?? {}}
          versions={versions}
          onSet={(alias, version) =>
            act(() => registry.setAlias(name, alias, version))
          }
          trans={trans}
        />
      </section>
      <VersionsTable
        versions={versions}
        runs={runs}
        onOpenRun={openRun}
        onDelete={version =>
          quietly(() => registry.deleteVersion(name, version))
        }
        trans={trans}
      />
      <VersionDetails
        registry={registry}
        api={ctx.api}
        versions={versions}
        runs={runs}
        onOpenRun={openRun}
        trans={trans}
      />
      <VersionTags
        versions={versions}
        onSet={(version, key, value) =>
          act(() => registry.setVersionTag(name, version, key, value))
        }
        onDelete={(version, key) =>
          act(() => registry.deleteVersionTag(name, version, key))
        }
        trans={trans}
      />
      <section className="mlops-ModelDetail-tags">
        <h3>{trans.__('Tags of the model')}</h3>
        <TagsEditor
          tags={model.tags ?? {}}
          onSet={(key, value) =>
            act(() => registry.setModelTag(name, key, value))
          }
          onDelete={key => act(() => registry.deleteModelTag(name, key))}
          trans={trans}
        />
      </section>
      {(props.sections ?? []).map(section => (
        <section
          key={section.id}
          className="mlops-ModelDetail-extra"
          data-section={section.id}
        >
          {section.render({ ctx, model, versions })}
        </section>
      ))}
    </div>
  );
}
