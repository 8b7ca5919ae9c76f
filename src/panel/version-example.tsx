import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

/** How many example rows the page shows. */
const MAX_ROWS = 10;

/** A DataFrame example as MLflow saves it (`split` orient). */
function splitTable(
  example: unknown
): { columns: string[]; data: unknown[][] } | null {
  if (example === null || typeof example !== 'object') {
    return null;
  }
  const frame = example as { columns?: unknown; data?: unknown };
  if (
    Array.isArray(frame.columns) &&
    Array.isArray(frame.data) &&
    frame.data.every(row => Array.isArray(row))
  ) {
    return { columns: frame.columns.map(String), data: frame.data };
  }
  return null;
}

function cell(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A model's input example: a table for a DataFrame, else its JSON. */
export function VersionExample(props: {
  example: unknown;
  trans: TranslationBundle;
}): JSX.Element {
  const { example, trans } = props;
  if (example === null || example === undefined) {
    return (
      <p className="mlops-Muted mlops-Example">
        {trans.__('No input example.')}
      </p>
    );
  }
  const table = splitTable(example);
  if (table) {
    return (
      <div className="mlops-Example">
        <table className="mlops-Example-table">
          <thead>
            <tr>
              {table.columns.map(column => (
                <th
                  key={column}
                  className="mlops-Example-cell mlops-Example-head"
                >
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.data.slice(0, MAX_ROWS).map((row, index) => (
              <tr key={index}>
                {row.map((value, column) => (
                  <td key={column} className="mlops-Example-cell">
                    {cell(value)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {table.data.length > MAX_ROWS && (
          <p className="mlops-Muted">
            {trans.__('%1 more rows', table.data.length - MAX_ROWS)}
          </p>
        )}
      </div>
    );
  }
  return (
    <pre className="mlops-Example mlops-Example-json">
      {JSON.stringify(example, null, 2).slice(0, 4000)}
    </pre>
  );
}
