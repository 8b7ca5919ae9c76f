import * as React from 'react';

import { IParameterDefinition, ISavedPipeline } from './api';

export interface ISubmitFormProps {
  pipeline: ISavedPipeline;
  onSubmit: (args: Record<string, unknown>) => Promise<void>;
}

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
 * A form generated from a pipeline's parameters (their types and defaults).
 */
export function SubmitForm(props: ISubmitFormProps): JSX.Element {
  const parameters =
    props.pipeline.spec?.root.inputDefinitions?.parameters ?? {};
  const [values, setValues] = React.useState<Record<string, string>>(() =>
    Object.fromEntries(
      Object.entries(parameters).map(([name, d]) => [name, initialText(d)])
    )
  );
  const [error, setError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);

  const submit = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    const args: Record<string, unknown> = {};
    try {
      for (const [name, definition] of Object.entries(parameters)) {
        const text = values[name] ?? '';
        if (text === '' && definition.isOptional) {
          continue;
        }
        args[name] = parseArgument(name, definition, text);
      }
    } catch (reason) {
      setError((reason as Error).message);
      return;
    }
    setBusy(true);
    try {
      await props.onSubmit(args);
    } catch (reason) {
      setError((reason as Error).message);
    } finally {
      setBusy(false);
    }
  };

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
              onChange={e => setValues({ ...values, [name]: e.target.value })}
            >
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          ) : (
            <input
              name={name}
              value={values[name] ?? ''}
              onChange={e => setValues({ ...values, [name]: e.target.value })}
            />
          )}
        </label>
      ))}
      {error && <div className="jp-mlops-error">{error}</div>}
      <button
        type="submit"
        className="jp-mlops-button jp-mlops-submit"
        disabled={busy}
      >
        Run {props.pipeline.name}
      </button>
    </form>
  );
}
