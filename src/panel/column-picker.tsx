import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ATTRIBUTE_COLUMNS, columnId, IColumnId } from './columns';
import { columnTitle } from './cell-format';

export interface IColumnPickerProps {
  /** The visible columns, in order. */
  columns: string[];
  keys: { metrics: string[]; params: string[]; tags: string[] };
  onChange: (columns: string[]) => void;
  trans: TranslationBundle;
}

/**
 * A dropdown to choose the runs table's columns: attributes and every metric,
 * param and tag key seen; the chosen ones can be moved up and down. The
 * choice is saved in the settings by the owner.
 */
export function ColumnPicker(props: IColumnPickerProps): JSX.Element {
  const { columns, keys, trans } = props;
  const [open, setOpen] = React.useState(false);
  const [search, setSearch] = React.useState('');
  const rootRef = React.useRef<HTMLDivElement>(null);

  React.useEffect(() => {
    if (!open) {
      return;
    }
    const close = (event: MouseEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) {
        setOpen(false);
      }
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  const toggle = (id: string) =>
    props.onChange(
      columns.includes(id) ? columns.filter(c => c !== id) : [...columns, id]
    );
  const move = (id: string, delta: number) => {
    const index = columns.indexOf(id);
    const target = index + delta;
    if (index < 0 || target < 0 || target >= columns.length) {
      return;
    }
    const next = columns.slice();
    next.splice(index, 1);
    next.splice(target, 0, id);
    props.onChange(next);
  };

  const lower = search.toLowerCase();
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
    <div className="mlops-ColumnPicker" ref={rootRef}>
      <button
        type="button"
        className="jp-Button jp-mod-styled mlops-ColumnPicker-toggle"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        {trans.__('Columns (%1)', columns.length)}
      </button>
      {open && (
        <div className="mlops-ColumnPicker-menu" role="dialog">
          <section className="mlops-ColumnPicker-shown">
            <h4>{trans.__('Shown, in order')}</h4>
            {columns.length === 0 && (
              <p className="mlops-Muted">{trans.__('Only the run name')}</p>
            )}
            <ol>
              {columns.map((id, index) => (
                <li key={id} data-column={id}>
                  <span className="mlops-ColumnPicker-name" title={id}>
                    {label(id)}
                  </span>
                  <button
                    type="button"
                    className="mlops-IconButton"
                    title={trans.__('Move up')}
                    disabled={index === 0}
                    onClick={() => move(id, -1)}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="mlops-IconButton"
                    title={trans.__('Move down')}
                    disabled={index === columns.length - 1}
                    onClick={() => move(id, 1)}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    className="mlops-IconButton"
                    title={trans.__('Hide')}
                    onClick={() => toggle(id)}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ol>
          </section>
          <input
            type="search"
            className="jp-mod-styled mlops-ColumnPicker-search"
            placeholder={trans.__('Find a column')}
            value={search}
            onChange={event => setSearch(event.target.value)}
          />
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
                        onChange={() => toggle(id)}
                      />
                      <span title={id}>{label(id)}</span>
                    </label>
                  ))}
                </fieldset>
              ))}
          </div>
        </div>
      )}
    </div>
  );
}

function label(id: string): string {
  const prefix = id.split('.')[0];
  const kind: IColumnId['kind'] | null =
    prefix === 'metrics'
      ? 'metric'
      : prefix === 'params'
        ? 'param'
        : prefix === 'tags'
          ? 'tag'
          : null;
  return kind ? `${columnTitle(id)} (${kind})` : columnTitle(id);
}
