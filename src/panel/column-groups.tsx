import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { columnLabel } from './column-label';
import { ATTRIBUTE_COLUMNS, columnId } from './columns';

export interface IColumnGroupsProps {
  /** The visible columns. */
  columns: string[];
  keys: { metrics: string[]; params: string[]; tags: string[] };
  /** Only the columns whose id contains this (any case) are offered. */
  search: string;
  onToggle: (id: string) => void;
  trans: TranslationBundle;
}

/** Every column to tick, by kind: attributes, metrics, params, tags. */
export function ColumnGroups(props: IColumnGroupsProps): JSX.Element {
  const { columns, keys, trans } = props;
  const lower = props.search.toLowerCase();
  const groups: { title: string; ids: string[] }[] = [
    { title: trans.__('Attributes'), ids: [...ATTRIBUTE_COLUMNS] },
    {
      title: trans.__('Metrics'),
      ids: keys.metrics.map(k => columnId('metric', k))
    },
    {
      title: trans.__('Params'),
      ids: keys.params.map(k => columnId('param', k))
    },
    { title: trans.__('Tags'), ids: keys.tags.map(k => columnId('tag', k)) }
  ].map(g => ({
    ...g,
    ids: g.ids.filter(id => id.toLowerCase().includes(lower))
  }));
  return (
    <div className="mlops-ColumnPicker-groups">
      {groups
        .filter(g => g.ids.length > 0)
        .map(group => (
          <fieldset key={group.title}>
            <legend>{group.title}</legend>
            {group.ids.map(id => (
              <label key={id} className="mlops-ColumnPicker-option">
                <input
                  type="checkbox"
                  checked={columns.includes(id)}
                  onChange={() => props.onToggle(id)}
                />
                <span title={id}>{columnLabel(id)}</span>
              </label>
            ))}
          </fieldset>
        ))}
    </div>
  );
}
