import * as React from 'react';

import type { ISavedPipeline, IScheduleOptions } from './api';
import { initialText } from './pipeline-arguments';
import { ParameterField } from './parameter-field';
import { IScheduleDraft, ScheduleFields } from './schedule-fields';
import { SubmitMode, SubmitModeSwitch } from './submit-mode-switch';
import { usePipelineSubmit } from './use-pipeline-submit';

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

export { formFieldOf, parseArgument } from './pipeline-arguments';

const DEFAULT_CRON = '0 * * * *';

/**
 * A form generated from a pipeline's parameters (their types and defaults)
 * that runs the pipeline now or, with `onSchedule`, on a cron schedule. Errors
 * show next to the field they name, whether found here or by the server.
 */
export function SubmitForm(props: ISubmitFormProps): JSX.Element {
  const parameters =
    props.pipeline.spec?.root.inputDefinitions?.parameters ?? {};
  const [values, setValues] = React.useState<Record<string, string>>(() =>
    Object.fromEntries(
      Object.entries(parameters).map(([name, d]) => [name, initialText(d)])
    )
  );
  const [mode, setMode] = React.useState<SubmitMode>('run');
  const [draft, setDraft] = React.useState<IScheduleDraft>({
    cron: DEFAULT_CRON,
    policy: 'skip',
    name: ''
  });
  const scheduling = mode === 'schedule' && props.onSchedule !== undefined;
  const { fieldErrors, error, busy, edited, submit } = usePipelineSubmit(
    props,
    values,
    scheduling ? draft : null
  );

  return (
    <form className="jp-mlops-submit-form" onSubmit={e => void submit(e)}>
      {Object.entries(parameters).map(([name, definition]) => (
        <ParameterField
          key={name}
          name={name}
          definition={definition}
          value={values[name]}
          onChange={text => {
            setValues({ ...values, [name]: text });
            edited(name);
          }}
          error={fieldErrors[name]}
        />
      ))}
      {props.onSchedule && <SubmitModeSwitch mode={mode} onChange={setMode} />}
      {scheduling && (
        <ScheduleFields
          draft={draft}
          onChange={changes => {
            setDraft(previous => ({ ...previous, ...changes }));
            Object.keys(changes).forEach(edited);
          }}
          defaultName={props.pipeline.name}
          errors={fieldErrors}
        />
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
