import * as React from 'react';

export interface ITableSectionProps<T> {
  title: string;
  /** Shown instead of the table when there are no items. */
  emptyText: string;
  items: readonly T[];
  /** The table row of one item. */
  row: (item: T) => React.ReactNode;
  tableClassName: string;
  /** Column titles; none for a table of key-value rows. */
  headers?: readonly string[];
  className?: string;
}

/** A titled section holding a table, or a muted line when it has no rows. */
export function TableSection<T>(props: ITableSectionProps<T>): JSX.Element {
  const { title, emptyText, items, tableClassName, headers } = props;
  return (
    <section className={props.className}>
      <h3>{title}</h3>
      {items.length === 0 ? (
        <p className="mlops-Muted">{emptyText}</p>
      ) : (
        <table className={tableClassName}>
          {headers && (
            <thead>
              <tr>
                {headers.map((header, index) =>
                  header ? <th key={index}>{header}</th> : <th key={index} />
                )}
              </tr>
            </thead>
          )}
          <tbody>{items.map(props.row)}</tbody>
        </table>
      )}
    </section>
  );
}
