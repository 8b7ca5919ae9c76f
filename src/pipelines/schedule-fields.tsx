import * as React from 'react';

import { SCHEDULE_POLICIES, SchedulePolicy } from './api';
import { CronField } from './cron-field';
import { FieldError } from './field-error';

const POLICY_HELP: Record<SchedulePolicy, string> = {
  skip: 'no new run while the last one runs',
  queue: 'start it once the last one ends'
};

/** What the schedule fields hold, as the user left them. */
export interface IScheduleDraft {
  cron: string;
  policy: SchedulePolicy;
  name: string;
}

/** When a schedule runs, what it does while a run still runs, its name. */
export function ScheduleFields(props: {
  draft: IScheduleDraft;
  /** Change one field (`cron`, `policy` or `name`). */
  onChange: (changes: Partial<IScheduleDraft>) => void;
  /** Shown in the name field: the name the schedule gets by default. */
  defaultName: string;
  errors: Record<string, string>;
}): JSX.Element {
  const { draft, onChange, errors } = props;
  return (
    <fieldset className="jp-mlops-schedule-fields">
      <CronField
        value={draft.cron}
        onChange={cron => onChange({ cron })}
        error={errors.cron}
      />
      <label className="jp-mlops-form-field">
        <span>if the last run still runs</span>
        <select
          name="policy"
          value={draft.policy}
          onChange={e => onChange({ policy: e.target.value as SchedulePolicy })}
        >
          {SCHEDULE_POLICIES.map(p => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <small className="jp-mlops-policy-help">
          {POLICY_HELP[draft.policy]}
        </small>
        <FieldError field="policy" message={errors.policy} />
      </label>
      <label className="jp-mlops-form-field">
        <span>
          name <small>optional</small>
        </span>
        <input
          name="schedule-name"
          placeholder={props.defaultName}
          value={draft.name}
          onChange={e => onChange({ name: e.target.value })}
        />
        <FieldError field="name" message={errors.name} />
      </label>
    </fieldset>
  );
}
