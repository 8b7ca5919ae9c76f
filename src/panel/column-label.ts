import { columnTitle } from './cell-format';
import type { IColumnId } from './columns';

/** A column's title, with its kind for a metric, param or tag column. */
export function columnLabel(id: string): string {
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
