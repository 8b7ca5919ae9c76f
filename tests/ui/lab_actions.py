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
