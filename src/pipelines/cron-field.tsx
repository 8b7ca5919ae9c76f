import * as React from 'react';

import { describeCron } from './cron-words';
import { FieldError } from './field-error';

const CRON_EXAMPLES: [string, string][] = [
  ['*/15 * * * *', 'every 15 minutes'],
  ['0 * * * *', 'every hour'],
  ['0 3 * * *', 'every day at 03:00 UTC'],
  ['0 6 * * 1-5', 'weekdays at 06:00 UTC'],
  ['0 0 * * 0', 'every Sunday at 00:00 UTC']
];

/** A cron expression (UTC) with examples, and in words below it. */
export function CronField(props: {
  value: string;
  onChange: (cron: string) => void;
  error?: string;
}): JSX.Element {
  const ids = React.useId();
  const cronWords = describeCron(props.value);
  return (
    <label className="jp-mlops-form-field">
      <span>
        cron <small>UTC</small>
      </span>
      <input
        name="cron"
        list={`${ids}-cron-examples`}
        value={props.value}
        onChange={e => props.onChange(e.target.value)}
        aria-describedby={`${ids}-cron-words`}
      />
      <datalist id={`${ids}-cron-examples`}>
        {CRON_EXAMPLES.map(([expression, words]) => (
          <option key={expression} value={expression}>
            {words}
          </option>
        ))}
      </datalist>
      <small id={`${ids}-cron-words`} className="jp-mlops-cron-words">
        {cronWords ?? 'minute hour day-of-month month day-of-week'}
      </small>
      <FieldError field="cron" message={props.error} />
    </label>
  );
}
