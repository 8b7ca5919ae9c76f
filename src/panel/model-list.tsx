import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { formatRelativeTime } from '../format';
import type { IRegisteredModel } from './registry-api';

export interface IModelListProps {
  /** The models found, or `null` while loading. */
  models: IRegisteredModel[] | null;
  selected: string | null;
  onSelect: (name: string) => void;
  search: string;
  onSearch: (search: string) => void;
  trans: TranslationBundle;
}

/** The registry's models, found by name, one of them selected. */
export function ModelList(props: IModelListProps): JSX.Element {
  const { models, selected, trans } = props;
  const now = Date.now();
  return (
    <aside className="mlops-RegistryView-models">
      <header>
        <h2>{trans.__('Models')}</h2>
      </header>
      <input
        type="search"
        className="jp-mod-styled mlops-RegistryView-search"
        placeholder={trans.__('Find a model')}
        value={props.search}
        onChange={event => props.onSearch(event.target.value)}
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
              onClick={() => props.onSelect(m.name)}
              onKeyDown={event => {
                if (event.key === 'Enter') {
                  props.onSelect(m.name);
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
  );
}
