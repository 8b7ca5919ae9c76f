import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IRun, TrackingApi } from '../api';
import type { IModelVersion, RegistryApi } from './registry-api';
import { useModelFiles } from './use-model-files';
import { VersionExample } from './version-example';
import { VersionLineage } from './version-lineage';
import { VersionSelect } from './version-select';
import { VersionSignature } from './version-signature';

export interface IVersionDetailsProps {
  registry: RegistryApi;
  api: TrackingApi;
  /** Newest first. */
  versions: IModelVersion[];
  /** Source runs by run id. */
  runs: ReadonlyMap<string, IRun>;
  onOpenRun: (runId: string) => void;
  trans: TranslationBundle;
}

/**
 * One version in depth (the newest, or the one chosen): its signature and
 * input example from its MLmodel file, and its lineage.
 */
export function VersionDetails(
  props: IVersionDetailsProps
): JSX.Element | null {
  const { versions, trans } = props;
  const [chosen, setChosen] = React.useState('');
  const shown = versions.find(v => v.version === chosen) ?? versions[0] ?? null;
  const files = useModelFiles(props.registry, props.api, shown);
  if (!shown) {
    return null;
  }
  const run = shown.run_id ? (props.runs.get(shown.run_id) ?? null) : null;
  return (
    <section className="mlops-ModelDetail-version" data-version={shown.version}>
      <VersionSelect
        versions={versions}
        value={shown.version}
        onChange={setChosen}
        label={trans.__('Version')}
        ariaLabel={trans.__('Version to show')}
        className="jp-mod-styled mlops-VersionDetails-select"
      />
      {shown.description && <p>{shown.description}</p>}
      <h4>{trans.__('Lineage')}</h4>
      <VersionLineage
        version={shown}
        run={run}
        onOpenRun={props.onOpenRun}
        trans={trans}
      />
      <h4>{trans.__('Signature')}</h4>
      {files === null ? (
        <p className="mlops-Muted">{trans.__('Reading the model files…')}</p>
      ) : files.problem ? (
        <p className="mlops-Muted mlops-VersionDetails-problem">
          {files.problem}
        </p>
      ) : (
        <>
          <VersionSignature
            signature={files.card?.signature ?? null}
            trans={trans}
          />
          {files.card && files.card.flavors.length > 0 && (
            <p className="mlops-Muted mlops-VersionDetails-flavors">
              {trans.__('Flavors: %1', files.card.flavors.join(', '))}
            </p>
          )}
          <h4>{trans.__('Input example')}</h4>
          <VersionExample example={files.example} trans={trans} />
        </>
      )}
    </section>
  );
}
