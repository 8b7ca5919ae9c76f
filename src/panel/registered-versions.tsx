import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import type { IModelVersion } from './registry-api';

export interface IRegisteredVersionsProps {
  versions: IModelVersion[];
  /** Open the registry at a registered model. */
  onOpenRegistry: (model: string) => void;
  trans: TranslationBundle;
}

/** Links to the registered versions of a logged model, or a dash. */
export function RegisteredVersions(
  props: IRegisteredVersionsProps
): JSX.Element {
  const { versions, trans } = props;
  if (versions.length === 0) {
    return <>—</>;
  }
  return (
    <>
      {versions.map(v => (
        <React.Fragment key={`${v.name}\u0000${v.version}`}>
          <button
            type="button"
            className="mlops-LinkButton mlops-RunInputs-registration"
            title={trans.__('Open %1 in the registry', v.name)}
            onClick={() => props.onOpenRegistry(v.name)}
          >
            {trans.__('%1 v%2', v.name, v.version)}
          </button>{' '}
        </React.Fragment>
      ))}
    </>
  );
}
