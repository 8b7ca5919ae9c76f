import * as React from 'react';

import { AliasTable } from './alias-table';
import { PanelCommandIDs } from './commands';
import type { IPanelContext } from './context';
import { ModelHeader } from './model-header';
import type { IModelVersion, IRegisteredModel } from './registry-api';
import { SetAliasForm } from './set-alias-form';
import { TagsEditor } from './tags-editor';
import { useRunNames } from './use-run-names';
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
}

/** One registered model: its aliases, versions, and the tags of both. */
export function ModelDetail(props: IModelDetailProps): JSX.Element {
  const { ctx, model, versions, act } = props;
  const { registry, trans } = ctx;
  const runNames = useRunNames(
    ctx.api,
    versions.map(v => v.run_id)
  );
  const name = model.name;
  const aliases = Object.entries(model.aliases ?? {}).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  const quietly = (action: () => Promise<unknown>) =>
    void act(action).catch(() => undefined);

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
        trans={trans}
      />
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
        runNames={runNames}
        onOpenRun={runId =>
          void ctx.commands.execute(PanelCommandIDs.openRun, { runId })
        }
        onDelete={version =>
          quietly(() => registry.deleteVersion(name, version))
        }
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
    </div>
  );
}
