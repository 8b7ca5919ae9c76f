import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import {
  applyCompletion,
  completeFilter,
  ICompletionResult,
  IKnownKeys
} from './filter-completion';

export interface IFilterBoxProps {
  value: string;
  /** The server's message about the applied filter, shown under the box. */
  error: string | null;
  keys: IKnownKeys;
  onApply: (filter: string) => void;
  trans: TranslationBundle;
}

/**
 * The filter box: the search language of docs/search.md, applied on Enter,
 * with completion of `metrics.`, `params.`, `tags.`, `attributes.` and the
 * keys after them (Tab or Enter picks, arrows move, Escape closes), and the
 * server's error for a bad filter right under it.
 */
export function FilterBox(props: IFilterBoxProps): JSX.Element {
  const { keys, trans } = props;
  const [text, setText] = React.useState(props.value);
  const [completion, setCompletion] = React.useState<ICompletionResult | null>(
    null
  );
  const [active, setActive] = React.useState(0);
  const inputRef = React.useRef<HTMLInputElement>(null);

  React.useEffect(() => setText(props.value), [props.value]);

  const update = (next: string, cursor: number) => {
    setText(next);
    const result = completeFilter(next, cursor, keys);
    setCompletion(result && result.options.length > 0 ? result : null);
    setActive(0);
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
        const result = completeFilter(applied.text, applied.cursor, keys);
        setCompletion(result && result.options.length > 0 ? result : null);
        setActive(0);
      }
    });
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (completion) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const n = completion.options.length;
        setActive(i => (i + (event.key === 'ArrowDown' ? 1 : n - 1)) % n);
        return;
      }
      if (event.key === 'Tab' || event.key === 'Enter') {
        event.preventDefault();
        pick(active);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setCompletion(null);
        return;
      }
    }
    if (event.key === 'Enter') {
      event.preventDefault();
      props.onApply(text.trim());
    }
  };

  return (
    <div className="mlops-FilterBox">
      <div className="mlops-FilterBox-row">
        <input
          ref={inputRef}
          type="search"
          className={`jp-mod-styled mlops-FilterBox-input${props.error ? ' mlops-mod-invalid' : ''}`}
          placeholder={trans.__(
            "Filter runs, e.g. metrics.loss < 0.3 AND params.optimizer = 'adam'"
          )}
          aria-label={trans.__('Filter runs')}
          aria-invalid={props.error ? true : undefined}
          aria-autocomplete="list"
          spellCheck={false}
          value={text}
          onChange={event =>
            update(
              event.target.value,
              event.target.selectionStart ?? event.target.value.length
            )
          }
          onKeyDown={onKeyDown}
          onBlur={() => window.setTimeout(() => setCompletion(null), 150)}
        />
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-accept mlops-FilterBox-apply"
          onClick={() => props.onApply(text.trim())}
        >
          {trans.__('Apply')}
        </button>
        {props.value && (
          <button
            type="button"
            className="jp-Button jp-mod-styled mlops-FilterBox-clear"
            onClick={() => {
              setText('');
              props.onApply('');
            }}
          >
            {trans.__('Clear')}
          </button>
        )}
      </div>
      {completion && (
        <ul className="mlops-FilterBox-completions" role="listbox">
          {completion.options.map((option, index) => (
            <li
              key={`${option.detail}:${option.label}`}
              role="option"
              aria-selected={index === active}
              className={`mlops-FilterBox-option${index === active ? ' jp-mod-active' : ''}`}
              onMouseDown={event => {
                event.preventDefault();
                pick(index);
              }}
            >
              <span className="mlops-FilterBox-optionLabel">
                {option.label}
              </span>
              <span className="mlops-FilterBox-optionDetail">
                {option.detail}
              </span>
            </li>
          ))}
        </ul>
      )}
      {props.error && (
        <div className="mlops-FilterBox-error" role="alert">
          {props.error}
        </div>
      )}
    </div>
  );
}
