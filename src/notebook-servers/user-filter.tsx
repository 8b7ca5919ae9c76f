import * as React from 'react';

/** For admins: whose servers the panel lists (empty: everyone's). */
export function UserFilter(props: {
  users: string[];
  value: string;
  onChange: (user: string) => void;
}): JSX.Element {
  return (
    <label className="mlops-NbField">
      Show user
      <select
        className="jp-mod-styled"
        name="user-filter"
        value={props.value}
        onChange={e => props.onChange(e.target.value)}
      >
        <option value="">everyone</option>
        {props.users.map(u => (
          <option key={u} value={u}>
            {u}
          </option>
        ))}
      </select>
    </label>
  );
}
