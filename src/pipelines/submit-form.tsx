import * as React from 'react';

import { ApiError } from '../request';
import {
  IParameterDefinition,
  ISavedPipeline,
  IScheduleOptions,
  SCHEDULE_POLICIES,
  SchedulePolicy
} from './api';
import { describeCron } from './cron-words';

export interface ISubmitFormProps {
  pipeline: ISavedPipeline;
  /** Run now with these arguments. */
  onSubmit: (args: Record<string, unknown>) => Promise<void>;
  /** Run on a schedule; without it the form only runs now. */
  onSchedule?: (
    args: Record<string, unknown>,
    options: IScheduleOptions
  ) => Promise<void>;
}

type Mode = 'run' | 'schedule';

const DEFAULT_CRON = '0 * * * *';
const CRON_EXAMPLES: [string, string][] = [
  ['*/15 * * * *', 'every 15 minutes'],
  ['0 * * * *', 'every hour'],
  ['0 3 * * *', 'every day at 03:00 UTC'],
  ['0 6 * * 1-5', 'weekdays at 06:00 UTC'],
  ['0 0 * * 0', 'every Sunday at 00:00 UTC']
];
const POLICY_HELP: Record<SchedulePolicy, string> = {
  skip: 'no new run while the last one runs',
  queue: 'start it once the last one ends'
};

/**
 * Turn a form field's text into the value a parameter type wants; throws with
 * a message naming the parameter when the text does not fit.
 */
export function parseArgument(
  name: string,
  definition: IParameterDefinition,
  text: string
): unknown {
  const type = definition.parameterType;
  if (type === 'STRING') {
    return text;
  }
  if (type === 'BOOLEAN') {
    return text === 'true';
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    if (type === 'ANY') {
      return text;
    }
    throw new Error(`${name}: expected ${type}, got ${JSON.stringify(text)}`);
  }
  const ok =
    type === 'ANY' ||
    (type === 'NUMBER_INTEGER' && Number.isInteger(value)) ||
    (type === 'NUMBER_DOUBLE' && typeof value === 'number') ||
    (type === 'LIST' && Array.isArray(value)) ||
    (type === 'STRUCT' &&
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value));
  if (!ok) {
    throw new Error(`${name}: expected ${type}, got ${text}`);
  }
  return value;
}

function initialText(definition: IParameterDefinition): string {
  if (definition.defaultValue === undefined) {
    return '';
  }
  return definition.parameterType === 'STRING'
    ? String(definition.defaultValue)
    : JSON.stringify(definition.defaultValue);
}

/**
 * The form field a server error names: `cron`, `policy`, `name`, or the
 * parameter of `arguments.<parameter>`; null when it names none of the form's.
 */
export function formFieldOf(
  field: string | null,
  parameters: readonly string[]
): string | null {
  if (field === null) {
    return null;
  }
  if (field === 'cron' || field === 'policy' || field === 'name') {
    return field;
  }
  const match = /^arguments\.([^.[]+)/.exec(field);
  return match && parameters.includes(match[1]) ? match[1] : null;
}

function FieldError(props: {
  field: string;
  message?: string;
}): JSX.Element | null {
  return props.message ? (
    <span
      className="jp-mlops-field-error"
      role="alert"
      data-field={props.field}
    >
      {props.message}
    </span>
  ) : null;
}

/**
 * A form generated from a pipeline's parameters (their types and defaults)
 * that runs the pipeline now or, with `onSchedule`, on a cron schedule. Errors
 * show next to the field they name, whether found here or by the server.
 */
export function SubmitForm(props: ISubmitFormProps): JSX.Element {
  const parameters =
    props.pipeline.spec?.root.inputDefinitions?.parameters ?? {};
  const names = Object.keys(parameters);
  const [values, setValues] = React.useState<Record<string, string>>(() =>
    Object.fromEntries(
      Object.entries(parameters).map(([name, d]) => [name, initialText(d)])
    )
  );
  const [mode, setMode] = React.useState<Mode>('run');
  const [cron, setCron] = React.useState(DEFAULT_CRON);
  const [policy, setPolicy] = React.useState<SchedulePolicy>('skip');
  const [scheduleName, setScheduleName] = React.useState('');
  const [fieldErrors, setFieldErrors] = React.useState<Record<string, string>>(
    {}
  );
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const scheduling = mode === 'schedule' && props.onSchedule !== undefined;
  // Editing a field takes its error away: it spoke of the old value.
  const edited = (field: string): void =>
    setFieldErrors(previous => {
      if (!(field in previous)) {
        return previous;
      }
      const rest = { ...previous };
      delete rest[field];
      return rest;
    });
  const ids = React.useId();

  const submit = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    const found: Record<string, string> = {};
    const args: Record<string, unknown> = {};
    for (const [name, definition] of Object.entries(parameters)) {
      const text = values[name] ?? '';
      if (text === '' && definition.isOptional) {
        continue;
      }
      try {
        args[name] = parseArgument(name, definition, text);
      } catch (reason) {
        found[name] = (reason as Error).message;
      }
    }
    if (scheduling && !cron.trim()) {
      found.cron = 'cron is required (e.g. 0 * * * *)';
    }
    setFieldErrors(found);
    if (Object.keys(found).length > 0) {
      return;
    }
    setBusy(true);
    try {
      if (scheduling && props.onSchedule) {
        await props.onSchedule(args, {
          cron: cron.trim(),
          policy,
          name: scheduleName.trim() || undefined
        });
      } else {
        await props.onSubmit(args);
      }
    } catch (reason) {
      const field = formFieldOf(
        reason instanceof ApiError ? reason.field : null,
        names
      );
      if (field !== null) {
        setFieldErrors({ [field]: (reason as Error).message });
      } else {
        setError((reason as Error).message);
      }
    } finally {
      setBusy(false);
    }
  };

  const cronWords = describeCron(cron);
  return (
    <form className="jp-mlops-submit-form" onSubmit={e => void submit(e)}>
      {Object.entries(parameters).map(([name, definition]) => (
        <label key={name} className="jp-mlops-form-field">
          <span>
            {name} <small>{definition.parameterType}</small>
          </span>
          {definition.parameterType === 'BOOLEAN' ? (
            <select
              name={name}
              value={values[name] || 'false'}
              onChange={e => {
                setValues({ ...values, [name]: e.target.value });
                edited(name);
              }}
            >
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          ) : (
            <input
              name={name}
              value={values[name] ?? ''}
              onChange={e => {
                setValues({ ...values, [name]: e.target.value });
                edited(name);
              }}
            />
          )}
          <FieldError field={name} message={fieldErrors[name]} />
        </label>
      ))}
      {props.onSchedule && (
        <div
          className="jp-mlops-submit-mode"
          role="radiogroup"
          aria-label="When"
        >
          <label>
            <input
              type="radio"
              name="mode"
              value="run"
              checked={mode === 'run'}
              onChange={() => setMode('run')}
            />{' '}
            Run now
          </label>
          <label>
            <input
              type="radio"
              name="mode"
              value="schedule"
              checked={mode === 'schedule'}
              onChange={() => setMode('schedule')}
            />{' '}
            Schedule
          </label>
        </div>
      )}
      {scheduling && (
        <fieldset className="jp-mlops-schedule-fields">
          <label className="jp-mlops-form-field">
            <span>
              cron <small>UTC</small>
            </span>
            <input
              name="cron"
              list={`${ids}-cron-examples`}
              value={cron}
              onChange={e => {
                setCron(e.target.value);
                edited('cron');
              }}
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
            <FieldError field="cron" message={fieldErrors.cron} />
          </label>
          <label className="jp-mlops-form-field">
            <span>if the last run still runs</span>
            <select
              name="policy"
              value={policy}
              onChange={e => {
                setPolicy(e.target.value as SchedulePolicy);
                edited('policy');
              }}
            >
              {SCHEDULE_POLICIES.map(p => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
            <small className="jp-mlops-policy-help">
              {POLICY_HELP[policy]}
            </small>
            <FieldError field="policy" message={fieldErrors.policy} />
          </label>
          <label className="jp-mlops-form-field">
            <span>
              name <small>optional</small>
            </span>
            <input
              name="schedule-name"
              placeholder={props.pipeline.name}
              value={scheduleName}
              onChange={e => {
                setScheduleName(e.target.value);
                edited('name');
              }}
            />
            <FieldError field="name" message={fieldErrors.name} />
          </label>
        </fieldset>
      )}
      {error && <div className="jp-mlops-error">{error}</div>}
      <button
        type="submit"
        className={`jp-mlops-button ${scheduling ? 'jp-mlops-schedule' : 'jp-mlops-submit'}`}
        disabled={busy}
      >
        {scheduling ? 'Schedule' : 'Run'} {props.pipeline.name}
      </button>
    </form>
  );
}
