import Papa from 'papaparse';
import * as React from 'react';

import { CSV_PREVIEW_ROWS } from './artifact-kind';

export interface ICsvTableProps {
  content: string;
  /** `\t` for TSV; detected when left out. */
  delimiter?: string;
}

/** A CSV file as a table (the first rows; the header row as headers). */
export function CsvTable(props: ICsvTableProps): JSX.Element {
  const parsed = React.useMemo(
    () =>
      Papa.parse<string[]>(props.content, {
        delimiter: props.delimiter ?? '',
        skipEmptyLines: true,
        preview: CSV_PREVIEW_ROWS + 1
      }),
    [props.content, props.delimiter]
  );
  const [header, ...rows] = parsed.data;
  if (!header) {
    return <p className="mlops-Muted">Empty file.</p>;
  }
  return (
    <div className="mlops-CsvTable">
      {parsed.errors.length > 0 && (
        <p className="mlops-Muted">
          {parsed.errors[0].message} (row {parsed.errors[0].row})
        </p>
      )}
      <table>
        <thead>
          <tr>
            {header.map((cell, i) => (
              <th key={i}>{cell}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, r) => (
            <tr key={r}>
              {row.map((cell, c) => (
                <td key={c}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length >= CSV_PREVIEW_ROWS && (
        <p className="mlops-Muted">First {CSV_PREVIEW_ROWS} rows shown.</p>
      )}
    </div>
  );
}
