import * as React from 'react';

import { ApiError } from '../request';
import type { IScheduleDraft } from './schedule-fields';
import { collectArguments, formFieldOf } from './pipeline-arguments';
import type { ISubmitFormProps } from './submit-form';

export interface IPipelineSubmit {
  /** The error of each field, by field name (a parameter, `cron`, ...). */
  fieldErrors: Record<string, string>;
  /** An error that names none of the form's fields. */
  error: string | null;
  busy: boolean;
  /** Tell that a field was edited: its error spoke of the old value. */
  edited: (field: string) => void;
  submit: (event: React.FormEvent) => Promise<void>;
}

/**
 * Sending the submit form: parse the arguments, then run the pipeline now,
 * or (with a schedule `draft`) schedule it; errors go to their fields.
 */
export function usePipelineSubmit(
  props: ISubmitFormProps,
  values: Record<string, string>,
  draft: IScheduleDraft | null
): IPipelineSubmit {
  const parameters =
    props.pipeline.spec?.root.inputDefinitions?.parameters ?? {};
  const names = Object.keys(parameters);
  const [fieldErrors, setFieldErrors] = React.useState<Record<string, string>>(
    {}
  );
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const edited = (field: string): void =>
    setFieldErrors(previous => {
      if (!(field in previous)) {
        return previous;
      }
      const rest = { ...previous };
      delete rest[field];
      return rest;
    });

  const submit = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    const { args, errors: found } = collectArguments(parameters, values);
    if (draft && !draft.cron.trim()) {
      found.cron = 'cron is required (e.g. 0 * * * *)';
    }
    setFieldErrors(found);
    if (Object.keys(found).length > 0) {
      return;
    }
    setBusy(true);
    try {
      if (draft && props.onSchedule) {
        await props.onSchedule(args, {
          cron: draft.cron.trim(),
          policy: draft.policy,
          name: draft.name.trim() || undefined
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

  return { fieldErrors, error, busy, edited, submit };
}
