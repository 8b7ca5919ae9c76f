import * as React from 'react';

import type { INotebookOptions } from './api';
import type { ISpawnValues } from './spawn-request';

/** What only a new server asks for: its owner (admins), name and profile. */
export function NewServerFields(props: {
  options: INotebookOptions;
  values: ISpawnValues;
  set: (changes: Partial<ISpawnValues>) => void;
  fieldClass: (field: string) => string;
}): JSX.Element {
  const { options, values, set, fieldClass } = props;
  return (
    <>
      {options.is_admin && (
        <label className={fieldClass('owner')}>
          Owner
          <input
            className="jp-mod-styled"
            name="owner"
            list="mlops-nb-users"
            value={values.owner}
            onChange={e => set({ owner: e.target.value })}
          />
          <datalist id="mlops-nb-users">
            {(options.users ?? []).map(user => (
              <option key={user} value={user} />
            ))}
          </datalist>
        </label>
      )}
      <label className={fieldClass('name')}>
        Name
        <input
          className="jp-mod-styled"
          name="name"
          required
          pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,62}"
          placeholder="work"
          value={values.name}
          onChange={e => set({ name: e.target.value })}
        />
      </label>
      {options.profiles.length > 0 && (
        <label className={fieldClass('profile')}>
          Profile
          <select
            className="jp-mod-styled"
            name="profile"
            value={values.profile}
            onChange={e => set({ profile: e.target.value })}
          >
            {options.profiles.map(p => (
              <option key={p.slug} value={p.slug} title={p.description}>
                {p.display_name}
              </option>
            ))}
          </select>
        </label>
      )}
    </>
  );
}
