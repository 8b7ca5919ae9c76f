import * as React from 'react';

/**
 * The width in CSS pixels of the element `ref` points to, kept current with a
 * ResizeObserver; 0 until it is laid out (or while it is hidden).
 */
export function useElementWidth(
  ref: React.RefObject<HTMLElement | null>
): number {
  const [width, setWidth] = React.useState(0);
  React.useLayoutEffect(() => {
    const element = ref.current;
    if (!element) {
      return;
    }
    setWidth(Math.floor(element.getBoundingClientRect().width));
    if (typeof ResizeObserver === 'undefined') {
      return;
    }
    const observer = new ResizeObserver(entries => {
      const entry = entries[entries.length - 1];
      setWidth(Math.floor(entry.contentRect.width));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/**
 * Whether the element `ref` points to is in (or near) the viewport, so that
 * long chart grids draw only the charts someone can see. Once seen it stays
 * `true` unless `keepDrawn` is false.
 */
export function useInView(
  ref: React.RefObject<HTMLElement | null>,
  options: { rootMargin?: string; keepDrawn?: boolean } = {}
): boolean {
  const { rootMargin = '200px', keepDrawn = true } = options;
  const [visible, setVisible] = React.useState(false);
  React.useEffect(() => {
    const element = ref.current;
    if (!element) {
      return;
    }
    if (typeof IntersectionObserver === 'undefined') {
      setVisible(true);
      return;
    }
    const observer = new IntersectionObserver(
      entries => {
        const seen = entries.some(entry => entry.isIntersecting);
        if (seen) {
          setVisible(true);
          if (keepDrawn) {
            observer.disconnect();
          }
        } else if (!keepDrawn) {
          setVisible(false);
        }
      },
      { rootMargin }
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, rootMargin, keepDrawn]);
  return visible;
}
