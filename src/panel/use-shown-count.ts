import * as React from 'react';

/**
 * How many times a view has come back on screen (0 while it has not left it):
 * a key for reloading what may have changed while its tab was hidden, such as
 * experiments or models created from a notebook or another view.
 */
export function useShownCount(visible: boolean): number {
  const [count, setCount] = React.useState(0);
  const wasHidden = React.useRef(false);
  React.useEffect(() => {
    if (!visible) {
      wasHidden.current = true;
    } else if (wasHidden.current) {
      wasHidden.current = false;
      setCount(n => n + 1);
    }
  }, [visible]);
  return count;
}
