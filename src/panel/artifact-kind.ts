/** How an artifact file is previewed, from its name. */
export type PreviewKind =
  'image' | 'markdown' | 'text' | 'json' | 'csv' | 'html' | 'notebook' | 'none';

const KINDS: [RegExp, PreviewKind][] = [
  [/\.(png|jpe?g|gif|webp|bmp|svg)$/i, 'image'],
  [/\.(md|markdown)$/i, 'markdown'],
  [/\.(json|geojson)$/i, 'json'],
  [/\.(csv|tsv)$/i, 'csv'],
  [/\.html?$/i, 'html'],
  [/\.ipynb$/i, 'notebook'],
  [
    /(\.(txt|log|py|yaml|yml|toml|cfg|ini|sh|r|sql|js|ts|xml|out|err)$|(^|\/)(MLmodel|Dockerfile|requirements\.txt|LICENSE|README)$)/i,
    'text'
  ]
];

/** Files larger than this are not previewed (download them instead). */
export const PREVIEW_LIMIT_BYTES = 10 * 1024 * 1024;
/** CSV previews show at most this many rows. */
export const CSV_PREVIEW_ROWS = 1000;

export function previewKind(path: string): PreviewKind {
  for (const [pattern, kind] of KINDS) {
    if (pattern.test(path)) {
      return kind;
    }
  }
  return 'none';
}

/** The file name of a path. */
export function baseName(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

/** `1.2 kB`, `3.4 MB`. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || bytes === undefined) {
    return '';
  }
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** Strip ANSI colour codes (tracebacks in notebook outputs). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}
