import * as React from 'react';

import type { IRun } from '../api';

/**
 * Ticking a row toggles it; Shift-ticking sets every row from the last
 * ticked one to this one as this one now is.
 */
export function useRowSelection(
  runs: IRun[],
  selected: ReadonlySet<string>,
  onSelect: (selected: Set<string>) => void
): (index: number, event: React.MouseEvent) => void {
  const lastClicked = React.useRef<number | null>(null);
  return (index: number, event: React.MouseEvent) => {
    const next = new Set(selected);
    const id = runs[index].info.run_id;
    if (event.shiftKey && lastClicked.current !== null) {
      const [from, to] = [lastClicked.current, index].sort((a, b) => a - b);
      const select = !selected.has(id);
      for (let i = from; i <= to; i++) {
        if (select) {
          next.add(runs[i].info.run_id);
        } else {
          next.delete(runs[i].info.run_id);
        }
      }
    } else if (next.has(id)) {
      next.delete(id);
    } else {
      next.add(id);
    }
    lastClicked.current = index;
    onSelect(next);
  };
}
