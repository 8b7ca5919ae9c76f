import * as React from 'react';

import type { IRun } from '../api';
import { PanelCommandIDs } from './commands';
import type { IPanelContext } from './context';
import { NOTE_TAG, NotesEditor } from './notes-editor';
import type { IModelVersion } from './registry-api';
import { RunError } from './run-error';
import { RunChildren } from './run-family';
import { RunInputs } from './run-inputs';
import { RunOverview } from './run-overview';
import { TagsEditor } from './tags-editor';
import { useRunFamily } from './use-run-family';

export interface IRunOverviewTabProps {
  ctx: IPanelContext;
  runId: string;
  run: IRun;
  experimentName: string | null;
  now: number;
  registrations: Record<string, IModelVersion[]>;
  /** Write to the server, then re-read the run. */
  write: (action: () => Promise<void>) => Promise<void>;
}

/** The run view's Overview tab: attributes, inputs, tags and notes. */
export function RunOverviewTab(props: IRunOverviewTabProps): JSX.Element {
  const { ctx, run, runId, write } = props;
  const { api, trans } = ctx;
  const family = useRunFamily(api, run);
  const openRun = (id: string) =>
    void ctx.commands.execute(PanelCommandIDs.openRun, { runId: id });
  return (
    <div className="mlops-RunView-overview">
      <RunError api={api} run={run} trans={trans} />
      <RunOverview
        run={run}
        experimentName={props.experimentName}
        parent={family.parent}
        now={props.now}
        onOpenNotebook={path =>
          void ctx.commands.execute('docmanager:open', { path })
        }
        onOpenRun={openRun}
        trans={trans}
      />
      <RunChildren family={family} onOpenRun={openRun} trans={trans} />
      <RunInputs
        run={run}
        registrations={props.registrations}
        onOpenRegistry={model =>
          void ctx.commands.execute(PanelCommandIDs.openRegistry, { model })
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
  );
}
