import type { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

export interface IAliasTableProps {
  /** Alias name and version, in name order. */
  aliases: [string, string][];
  onRemove: (alias: string) => void;
  trans: TranslationBundle;
}

/** A model's aliases, each with the version it points at and a remove button. */
export function AliasTable(props: IAliasTableProps): JSX.Element {
  const { aliases, trans } = props;
  if (aliases.length === 0) {
    return (
      <p className="mlops-Muted">
        {trans.__(
          'No aliases. Give a version one (e.g. champion) to load it by name.'
        )}
      </p>
    );
  }
  return (
    <table className="mlops-KeyValueTable">
      <tbody>
        {aliases.map(([name, version]) => (
          <tr key={name} data-alias={name}>
            <th scope="row">@{name}</th>
            <td className="mlops-ModelDetail-aliasVersion">
              {trans.__('version %1', version)}
            </td>
            <td>
              <Button
                minimal
                small
                type="button"
                className="mlops-IconButton"
                title={trans.__('Remove alias %1', name)}
                aria-label={trans.__('Remove alias %1', name)}
                onClick={() => props.onRemove(name)}
              >
                ×
              </Button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
