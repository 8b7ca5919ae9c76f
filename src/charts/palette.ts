/**
 * Series colours. Data colours cannot come from the theme (JupyterLab has no
 * categorical palette), so these are the Tableau 10 colours, which stay
 * readable on light and dark backgrounds alike.
 */
export const SERIES_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac'
];

/** The colour of the `index`-th series. */
export function seriesColor(index: number): string {
  return SERIES_COLORS[
    ((index % SERIES_COLORS.length) + SERIES_COLORS.length) %
      SERIES_COLORS.length
  ];
}

/**
 * `#rrggbb` (or `#rgb`) with an alpha, as `rgba()`; other colour strings come
 * back unchanged, since the canvas understands them as they are.
 */
export function withAlpha(color: string, alpha: number): string {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!match) {
    return color;
  }
  let hex = match[1];
  if (hex.length === 3) {
    hex = hex
      .split('')
      .map(c => c + c)
      .join('');
  }
  const r = parseInt(hex.slice(0, 2), 16);
  const g = parseInt(hex.slice(2, 4), 16);
  const b = parseInt(hex.slice(4, 6), 16);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}
