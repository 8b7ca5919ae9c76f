import * as React from 'react';

import type { ICompletionResult } from './filter-completion';

export interface ICompletionListProps {
  completion: ICompletionResult;
  /** The index of the highlighted option. */
  active: number;
  onPick: (index: number) => void;
}

/** The completions of the filter box, each with what kind of key it is. */
export function CompletionList(props: ICompletionListProps): JSX.Element {
  const { active } = props;
  return (
    <ul className="mlops-FilterBox-completions" role="listbox">
      {props.completion.options.map((option, index) => (
        <li
          key={`${option.detail}:${option.label}`}
          role="option"
          aria-selected={index === active}
          className={`mlops-FilterBox-option${index === active ? ' jp-mod-active' : ''}`}
          onMouseDown={event => {
            // Keep the focus in the input.
            event.preventDefault();
            props.onPick(index);
          }}
        >
          <span className="mlops-FilterBox-optionLabel">{option.label}</span>
          <span className="mlops-FilterBox-optionDetail">{option.detail}</span>
        </li>
      ))}
    </ul>
  );
}
