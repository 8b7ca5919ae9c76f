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
