import * as React from 'react';

import type { INotebookOptions } from './api';

/**
 * The image of a server: any image (with the configured ones suggested)
 * where custom images are allowed, else one of the configured images.
 */
export function ImageField(props: {
  options: INotebookOptions;
  value: string;
  onChange: (image: string) => void;
  className: string;
}): JSX.Element {
  const { options, value } = props;
  const choices = options.images.map(i => (
    <option key={i.image} value={i.image}>
      {i.display_name}
    </option>
  ));
  return (
    <label className={props.className}>
      Image
      {options.allow_custom_image ? (
        <>
          <input
            className="jp-mod-styled"
            name="image"
            list="mlops-nb-images"
            value={value}
            onChange={e => props.onChange(e.target.value)}
          />
          <datalist id="mlops-nb-images">{choices}</datalist>
        </>
      ) : (
        <select
          className="jp-mod-styled"
          name="image"
          value={value}
          onChange={e => props.onChange(e.target.value)}
        >
          {choices}
        </select>
      )}
    </label>
  );
}
