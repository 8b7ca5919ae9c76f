"""What a user does in JupyterLab, as the browser tests do it."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError


def run_command(page: Page, label: str) -> None:
    """Run a command the way a user finds it: through the command palette."""
    palette = page.locator(".lm-CommandPalette-input")
    item = page.locator(".lm-CommandPalette-item", has_text=label).first
    for _ in range(10):
        # Right after start-up the palette can miss the shortcut (key bindings load from
        # the settings) or close again (restored tabs take the focus): try again.
        if not palette.is_visible():
            page.keyboard.press("Control+Shift+C")
        try:
            palette.wait_for(state="visible", timeout=1000)
            palette.fill(label, timeout=1000)
            item.wait_for(state="visible", timeout=2000)
            break
        except PlaywrightTimeoutError:
            continue
    expect(item).to_be_visible()
    page.keyboard.press("Enter")


def close_mlops_tabs(page: Page) -> None:
    """Close every MLOps view in the main area, as a user tidies up, one tab at a time."""
    page.keyboard.press("Escape")
    tabs = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab[data-id^="mlops-"]')
    while tabs.count() > 0:
        tab = tabs.first
        widget_id = tab.get_attribute("data-id")
        tab.locator(".lm-TabBar-tabCloseIcon").click()
        expect(page.locator(f'.lm-TabBar-tab[data-id="{widget_id}"]')).to_have_count(0)
        # JupyterLab's toolbar throttles work after a tab shows; closing the next tab
        # before that settles makes the toolbar fail in the page (a JupyterLab quirk).
        page.wait_for_timeout(300)


def open_experiment_runs(page: Page, experiment_id: str, rows: int) -> None:
    """Open the MLOps Runs view from the palette and pick an experiment with `rows` runs."""
    run_command(page, "MLOps Runs")
    view = page.locator(".mlops-RunsView")
    expect(view).to_be_visible()
    view.locator(f'.mlops-ExperimentsPane-item[data-experiment-id="{experiment_id}"]').click()
    expect(view.locator(".mlops-RunsTable-row")).to_have_count(rows)


def choose_theme(page: Page, theme: str) -> None:
    """Settings > Theme > <theme>, as a user switches themes."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu-itemLabel", has_text=theme).first.click()
    expect(page.locator("body")).to_have_attribute("data-jp-theme-name", theme)
    # The theme's CSS loads behind a splash screen: measure and draw once it is gone.
    page.wait_for_selector("#jupyterlab-splash", state="detached")


# JavaScript for the colour checks of the browser tests, to put at the start of the body of
# a function given to `evaluate`: `contrast(layers, color)` is the WCAG contrast ratio of
# text of CSS colour `color` over the CSS colours `layers` painted bottom to top (any CSS
# colour syntax; alpha composited on a 1-pixel canvas).
WCAG_CONTRAST_JS = """
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const paint = (colors) => {
    ctx.clearRect(0, 0, 1, 1);
    for (const color of colors) {
      ctx.fillStyle = color;
      ctx.fillRect(0, 0, 1, 1);
    }
    return Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3));
  };
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (layers, color) => {
    const a = luminance(paint(layers));
    const b = luminance(paint([...layers, color]));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };
"""
