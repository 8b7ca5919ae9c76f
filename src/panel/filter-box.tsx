import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { CompletionList } from './completion-list';
import type { IKnownKeys } from './filter-completion';
import { useFilterCompletion } from './use-filter-completion';

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
 * keys after them (Tab or Enter picks, arrows move, Escape closes them and
 * keeps the text; Enter with no list open applies the filter), and the
 * server's error for a bad filter right under it.
 */
export function FilterBox(props: IFilterBoxProps): JSX.Element {
  const { keys, trans } = props;
  const {
    text,
    setText,
    completion,
    active,
    inputRef,
    update,
    pick,
    onCompletionKey,
    close
  } = useFilterCompletion(props.value, keys);

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (onCompletionKey(event)) {
      return;
    }
    if (event.key === 'Escape') {
      // A search input clears itself on Escape; here Escape only closes the
      // completions, and the filter the user typed stays.
      event.preventDefault();
      return;
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
          onBlur={() => window.setTimeout(close, 150)}
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
        <CompletionList completion={completion} active={active} onPick={pick} />
      )}
      {props.error && (
        <div className="mlops-FilterBox-error" role="alert">
          {props.error}
        </div>
      )}
    </div>
  );
}
