import type { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { IModelVersion } from './registry-api';

export interface ISetAliasFormProps {
  /** The model's aliases by name (to say "Move" for one that exists). */
  aliases: Record<string, string>;
  versions: IModelVersion[];
  /** Point `alias` at `version`; resolves once done, rejects on failure. */
  onSet: (alias: string, version: string) => Promise<void>;
  trans: TranslationBundle;
}

/** Set an alias on a version, or move an existing alias to another one. */
export function SetAliasForm(props: ISetAliasFormProps): JSX.Element {
  const { aliases, versions, trans } = props;
  const [alias, setAlias] = React.useState('');
  const [aliasVersion, setAliasVersion] = React.useState('');
  const targetVersion = aliasVersion || versions[0]?.version || '';
  const aliasName = alias.trim().replace(/^@/, '');
  return (
    <form
      className="mlops-ModelDetail-setAlias"
      onSubmit={event => {
        event.preventDefault();
        if (!aliasName || !targetVersion) {
          return;
        }
        void props
          .onSet(aliasName, targetVersion)
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
        {Object.keys(aliases)
          .sort((a, b) => a.localeCompare(b))
          .map(name => (
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
      <Button
        type="submit"
        className="jp-mod-styled jp-mod-accept mlops-ModelDetail-aliasSet"
        disabled={!alias.trim() || !targetVersion}
      >
        {aliases[aliasName] ? trans.__('Move alias') : trans.__('Set alias')}
      </Button>
    </form>
  );
}
