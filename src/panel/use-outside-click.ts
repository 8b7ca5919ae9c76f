import * as React from 'react';

/** While `active`, a mouse press outside `ref`'s element calls `onOutside`. */
export function useOutsideClick(
  active: boolean,
  ref: React.RefObject<HTMLElement>,
  onOutside: () => void
): void {
  React.useEffect(() => {
    if (!active) {
      return;
    }
    const close = (event: MouseEvent) => {
      if (!ref.current?.contains(event.target as Node)) {
        onOutside();
      }
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [active]);
}
