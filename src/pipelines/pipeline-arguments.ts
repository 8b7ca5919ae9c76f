import type { IParameterDefinition } from './api';

/** The words a form shows for a parameter type (the spec's names are KFP's). */
const TYPE_LABELS: Record<string, string> = {
  STRING: 'text',
  NUMBER_INTEGER: 'whole number',
  NUMBER_DOUBLE: 'number',
  BOOLEAN: 'true or false',
  LIST: 'list (JSON)',
  STRUCT: 'object (JSON)',
  ANY: 'any value'
};

/** A parameter type in words ("whole number" for `NUMBER_INTEGER`). */
export function parameterTypeLabel(type: string): string {
  return TYPE_LABELS[type] ?? type.toLowerCase().replace(/_/g, ' ');
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
    throw new Error(
      `${name}: expected ${article(type)}, got ${JSON.stringify(text)}`
    );
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
    throw new Error(`${name}: expected ${article(type)}, got ${text}`);
  }
  return value;
}

/** "a whole number", "an object (JSON)": a type's label after "expected". */
function article(type: string): string {
  const label = parameterTypeLabel(type);
  if (type === 'ANY' || type === 'BOOLEAN') {
    return label;
  }
  return `${/^[aeiou]/.test(label) ? 'an' : 'a'} ${label}`;
}

/** A parameter's default as the text its form field starts with. */
export function initialText(definition: IParameterDefinition): string {
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

/**
 * The arguments of a run from the form's texts (an optional parameter left
 * empty is left out), and the error of each text that does not parse.
 */
export function collectArguments(
  parameters: Record<string, IParameterDefinition>,
  values: Record<string, string>
): { args: Record<string, unknown>; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const args: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(parameters)) {
    const text = values[name] ?? '';
    if (text === '' && definition.isOptional) {
      continue;
    }
    try {
      args[name] = parseArgument(name, definition, text);
    } catch (reason) {
      errors[name] = (reason as Error).message;
    }
  }
  return { args, errors };
}
