import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ColumnGroups } from './column-groups';
import { ShownColumns } from './shown-columns';
import { useOutsideClick } from './use-outside-click';

export interface IColumnPickerProps {
  /** The visible columns, in order. */
  columns: string[];
  keys: { metrics: string[]; params: string[]; tags: string[] };
  onChange: (columns: string[]) => void;
  /** Back to the default columns; absent while they are shown. */
  onReset?: () => void;
  trans: TranslationBundle;
}

/**
 * A dropdown to choose the runs table's columns: attributes and every metric,
 * param and tag key seen; the chosen ones can be moved up and down. The
 * owner saves the choice for the experiments shown.
 */
export function ColumnPicker(props: IColumnPickerProps): JSX.Element {
  const { columns, trans } = props;
  const [open, setOpen] = React.useState(false);
  const [search, setSearch] = React.useState('');
  const rootRef = React.useRef<HTMLDivElement>(null);
  useOutsideClick(open, rootRef, () => setOpen(false));

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
          <ShownColumns
            columns={columns}
            onMove={move}
            onHide={toggle}
            trans={trans}
          />
          {props.onReset && (
            <button
              type="button"
              className="jp-Button jp-mod-styled mlops-ColumnPicker-reset"
              title={trans.__(
                'Forget the columns chosen for this experiment and show the default ones'
              )}
              onClick={props.onReset}
            >
              {trans.__('Default columns')}
            </button>
          )}
          <input
            type="search"
            className="jp-mod-styled mlops-ColumnPicker-search"
            placeholder={trans.__('Find a column')}
            aria-label={trans.__('Find a column')}
            // With a thousand keys the search is how a column is found:
            // typing starts it, Escape clears it, then closes the menu.
            autoFocus
            value={search}
            onChange={event => setSearch(event.target.value)}
            onKeyDown={event => {
              if (event.key !== 'Escape') {
                return;
              }
              event.preventDefault();
              event.stopPropagation();
              if (search) {
                setSearch('');
              } else {
                setOpen(false);
              }
            }}
          />
          <ColumnGroups
            columns={columns}
            keys={props.keys}
            search={search}
            onToggle={toggle}
            trans={trans}
          />
        </div>
      )}
    </div>
  );
}
