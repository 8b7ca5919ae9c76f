import * as React from 'react';

/**
 * Colours for canvas drawing, read from JupyterLab's CSS variables (a canvas
 * cannot use `var()`), so charts follow the light, dark or any other theme.
 */
export interface IThemeColors {
  text: string;
  grid: string;
  axis: string;
  background: string;
  font: string;
}

const FALLBACK: IThemeColors = {
  text: '#616161',
  grid: 'rgba(127, 127, 127, 0.2)',
  axis: '#bdbdbd',
  background: 'transparent',
  font: 'system-ui, sans-serif'
};

/** Read the theme colours from the computed style of `element`. */
export function readThemeColors(element: Element): IThemeColors {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) =>
    style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--jp-ui-font-color2', FALLBACK.text),
    grid: read('--jp-border-color3', FALLBACK.grid),
    axis: read('--jp-border-color1', FALLBACK.axis),
    background: read('--jp-layout-color1', FALLBACK.background),
    font: read('--jp-ui-font-family', FALLBACK.font)
  };
}

/**
 * The theme colours, re-read when JupyterLab switches themes (it sets
 * `data-jp-theme-name` on the body, and swaps the variables' stylesheet).
 */
export function useThemeColors(): IThemeColors {
  const [colors, setColors] = React.useState<IThemeColors>(() =>
    typeof document === 'undefined' ? FALLBACK : readThemeColors(document.body)
  );
  React.useEffect(() => {
    const update = () => {
      const next = readThemeColors(document.body);
      setColors(previous =>
        JSON.stringify(previous) === JSON.stringify(next) ? previous : next
      );
    };
    const observer = new MutationObserver(() => {
      // The new theme's stylesheet may load a moment after the attribute.
      update();
      window.setTimeout(update, 300);
    });
    observer.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
    });
    update();
    return () => observer.disconnect();
  }, []);
  return colors;
}
