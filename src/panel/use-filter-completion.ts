import * as React from 'react';

import {
  applyCompletion,
  completeFilter,
  ICompletionResult,
  IKnownKeys
} from './filter-completion';

export interface IFilterCompletion {
  text: string;
  setText: (text: string) => void;
  /** The completions offered at the cursor; `null`: none shown. */
  completion: ICompletionResult | null;
  /** The index of the highlighted completion. */
  active: number;
  inputRef: React.RefObject<HTMLInputElement>;
  /** The user typed: `next` with the cursor at `cursor`. */
  update: (next: string, cursor: number) => void;
  /** Put the completion at `index` in at the cursor. */
  pick: (index: number) => void;
  /** Arrows move, Tab or Enter picks, Escape closes; true if it was one. */
  onCompletionKey: (event: React.KeyboardEvent<HTMLInputElement>) => boolean;
  close: () => void;
}

/** The filter text and completion of known keys as the user types. */
export function useFilterCompletion(
  value: string,
  keys: IKnownKeys
): IFilterCompletion {
  const [text, setText] = React.useState(value);
  const [completion, setCompletion] = React.useState<ICompletionResult | null>(
    null
  );
  const [active, setActive] = React.useState(0);
  const inputRef = React.useRef<HTMLInputElement>(null);

  React.useEffect(() => setText(value), [value]);

  const complete = (next: string, cursor: number) => {
    const result = completeFilter(next, cursor, keys);
    setCompletion(result && result.options.length > 0 ? result : null);
    setActive(0);
  };

  const update = (next: string, cursor: number) => {
    setText(next);
    if (next.trim() === '') {
      // An emptied box offers nothing: Enter then applies the empty filter
      // instead of picking the first prefix.
      setCompletion(null);
    } else {
      complete(next, cursor);
    }
  };

  const pick = (index: number) => {
    if (!completion) {
      return;
    }
    const applied = applyCompletion(
      text,
      completion,
      completion.options[index]
    );
    setCompletion(null);
    setText(applied.text);
    requestAnimationFrame(() => {
      const input = inputRef.current;
      if (input) {
        input.focus();
        input.setSelectionRange(applied.cursor, applied.cursor);
        // After a prefix (`metrics.`) the keys come next.
        complete(applied.text, applied.cursor);
      }
    });
  };

  const close = () => setCompletion(null);
  const onCompletionKey = (event: React.KeyboardEvent<HTMLInputElement>) =>
    completion !== null &&
    handleCompletionKey(event, completion.options.length, active, {
      setActive,
      pick,
      close
    });

  return {
    text,
    setText,
    completion,
    active,
    inputRef,
    update,
    pick,
    onCompletionKey,
    close
  };
}

/**
 * Arrows move through the `count` completions, Tab or Enter picks the
 * `active` one, Escape closes them; returns whether the key was one of these.
 */
function handleCompletionKey(
  event: React.KeyboardEvent<HTMLInputElement>,
  count: number,
  active: number,
  on: {
    setActive: (update: (index: number) => number) => void;
    pick: (index: number) => void;
    close: () => void;
  }
): boolean {
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    const step = event.key === 'ArrowDown' ? 1 : count - 1;
    on.setActive(i => (i + step) % count);
    return true;
  }
  if (event.key === 'Tab' || event.key === 'Enter') {
    event.preventDefault();
    on.pick(active);
    return true;
  }
  if (event.key === 'Escape') {
    event.preventDefault();
    on.close();
    return true;
  }
  return false;
}
