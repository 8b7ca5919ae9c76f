/**
 * Completion for the runs filter box: the search language's prefixes
 * (`metrics.`, `params.`, `tags.`, `attributes.`) and the keys seen in the
 * loaded runs after them.
 */
import { quoteKey } from './columns';

export interface ICompletion {
  /** What the list shows. */
  label: string;
  /** Text that replaces `text.slice(from, to)`. */
  insert: string;
  /** e.g. `metric`, `param`. */
  detail: string;
}

export interface ICompletionResult {
  from: number;
  to: number;
  options: ICompletion[];
}

export interface IKnownKeys {
  metrics: readonly string[];
  params: readonly string[];
  tags: readonly string[];
}

/** Attributes the server can filter on (docs/search.md). */
export const FILTER_ATTRIBUTES = [
  'run_id',
  'run_name',
  'status',
  'user',
  'experiment_id',
  'experiment',
  'lifecycle_stage',
  'parent_run_id',
  'start_time',
  'end_time'
];

const PREFIXES: { canonical: string; aliases: string[]; detail: string }[] = [
  { canonical: 'metrics', aliases: ['metric'], detail: 'metric' },
  {
    canonical: 'params',
    aliases: ['param', 'parameters', 'parameter'],
    detail: 'param'
  },
  { canonical: 'tags', aliases: ['tag'], detail: 'tag' },
  {
    canonical: 'attributes',
    aliases: ['attribute', 'attr', 'run'],
    detail: 'attribute'
  }
];

const MAX_OPTIONS = 50;

/**
 * The completions at `cursor` in `text`, or `null` when there is nothing to
 * complete (inside a quoted value, after an operator, ...).
 */
export function completeFilter(
  text: string,
  cursor: number,
  keys: IKnownKeys
): ICompletionResult | null {
  const before = text.slice(0, cursor);
  if (insideString(before)) {
    return null;
  }
  // `metrics.val_lo|` or `min(metrics.lo|`
  const keyed = /([A-Za-z]+)\.([\w./:-]*)$/.exec(before);
  if (keyed) {
    const prefix = PREFIXES.find(
      p =>
        p.canonical === keyed[1].toLowerCase() ||
        p.aliases.includes(keyed[1].toLowerCase())
    );
    if (!prefix) {
      return null;
    }
    const typed = keyed[2];
    const from = cursor - typed.length;
    const candidates =
      prefix.canonical === 'metrics'
        ? keys.metrics
        : prefix.canonical === 'params'
          ? keys.params
          : prefix.canonical === 'tags'
            ? keys.tags
            : FILTER_ATTRIBUTES;
    const lower = typed.toLowerCase();
    const options = candidates
      .filter(key => key.toLowerCase().includes(lower))
      .sort(
        (a, b) =>
          Number(!a.toLowerCase().startsWith(lower)) -
          Number(!b.toLowerCase().startsWith(lower))
      )
      .slice(0, MAX_OPTIONS)
      .map(key => ({
        label: key,
        insert: prefix.canonical === 'attributes' ? key : quoteKey(key),
        detail: prefix.detail
      }));
    return { from, to: cursor + wordLengthAt(text, cursor), options };
  }
  // A bare word at the start of a comparison: offer the prefixes.
  const word = /(^|[\s(])([A-Za-z]*)$/.exec(before);
  if (!word) {
    return null;
  }
  const typed = word[2].toLowerCase();
  const head = before.slice(0, before.length - typed.length);
  // Keys start a comparison: at the start, after `(` or after AND / OR.
  if (!/(^\s*|\(\s*|\b(and|or)\s+)$/i.test(head)) {
    return null;
  }
  const options: ICompletion[] = PREFIXES.filter(p =>
    p.canonical.startsWith(typed)
  ).map(p => ({
    label: `${p.canonical}.`,
    insert: `${p.canonical}.`,
    detail: p.detail
  }));
  if (options.length === 0) {
    return null;
  }
  return { from: cursor - typed.length, to: cursor, options };
}

/** Apply a completion: the new text and where the cursor goes. */
export function applyCompletion(
  text: string,
  result: ICompletionResult,
  option: ICompletion
): { text: string; cursor: number } {
  const next =
    text.slice(0, result.from) + option.insert + text.slice(result.to);
  return { text: next, cursor: result.from + option.insert.length };
}

function insideString(before: string): boolean {
  let quote: string | null = null;
  for (const ch of before) {
    if (quote) {
      if (ch === quote) {
        quote = null;
      }
    } else if (ch === "'" || ch === '"' || ch === '`') {
      quote = ch;
    }
  }
  return quote === "'";
}

function wordLengthAt(text: string, cursor: number): number {
  const match = /^[\w./:-]*/.exec(text.slice(cursor));
  return match ? match[0].length : 0;
}
