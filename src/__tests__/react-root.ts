import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

/** A React root on a fresh `<div>` in the document for each test of the calling `describe`,
 * unmounted and removed after it. Read `root` and `host` inside the tests. */
export function mountedReactRoot(): {
  readonly root: Root;
  readonly host: HTMLElement;
} {
  const mounted = {} as { root: Root; host: HTMLElement };
  beforeEach(() => {
    mounted.host = document.createElement('div');
    document.body.appendChild(mounted.host);
    mounted.root = createRoot(mounted.host);
  });
  afterEach(() => {
    act(() => mounted.root.unmount());
    mounted.host.remove();
  });
  return mounted;
}
