"""The Notebook Servers panel, seen by a user in a real JupyterLab: spawn a local server
from the form, watch it start, open it through the proxy, read its logs and details,
stop and delete it. The form fits a narrow side bar in both themes and asks the local
backend only for what it applies (issue #17)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .lab_actions import WCAG_CONTRAST_JS, choose_theme
from .lab_server import LabServer

PANEL = "#mlops-notebook-servers"
SIDEBAR_WIDTH = 300
# Settings the local backend records but cannot apply: the form must not offer them.
KUBERNETES_ONLY_FIELDS = ("image", "cpu", "memory", "gpus", "workspace_size")

# Whatever sticks out of the panel or the form sideways (a horizontal scroll bar or a
# clipped field), and the WCAG contrast of the form's text on its background.
_FORM_FIT_JS = (
    """
(panel) => {"""
    + WCAG_CONTRAST_JS
    + """
  const form = panel.querySelector('form.mlops-NbForm');
  const edge = form.getBoundingClientRect();
  const outside = Array.from(form.querySelectorAll('input, select, button, label, p'))
    .filter((e) => {
      const box = e.getBoundingClientRect();
      return box.width > 0 && (box.left < edge.left - 0.5 || box.right > edge.right + 0.5);
    })
    .map((e) => e.getAttribute('name') || e.textContent.trim().slice(0, 30));
  const background = getComputedStyle(panel).backgroundColor;
  const contrasts = Array.from(form.querySelectorAll('h3, label, p')).map((e) =>
    contrast([background], getComputedStyle(e).color)
  );
  return {
    panelScrolls: panel.scrollWidth > panel.clientWidth + 1,
    formScrolls: form.scrollWidth > form.clientWidth + 1,
    outside,
    minContrast: Math.min(...contrasts),
    panelWidth: panel.getBoundingClientRect().width,
  };
}
"""
)


@pytest.fixture
def mlops_no_servers_left(mlops_lab: LabServer) -> Iterator[None]:
    """Spawned servers outlive the lab by design: delete whatever a failed test left."""
    yield
    for server in mlops_lab.api("GET", "notebook-servers")["servers"]:
        mlops_lab.api(
            "DELETE",
            f"notebook-servers/{server['owner']}/{server['name']}",
            params={"delete_volume": "true"},
        )


def test_spawn_a_local_server_from_the_panel(
    mlops_lab: LabServer,
    mlops_page: Page,
    mlops_screenshot: Callable[[Page, str], Path],
    mlops_no_servers_left: None,
) -> None:
    page = mlops_page
    page.click('.jp-SideBar [data-id="mlops-notebook-servers"]')
    panel = page.locator(PANEL)
    expect(panel.get_by_text("No notebook servers yet")).to_be_visible()
    wide = _narrow_the_side_bar(page, SIDEBAR_WIDTH)

    # The form asks the local backend only for a name, says why, and fits the narrow
    # side bar, in both themes.
    panel.get_by_role("button", name="New server").click()
    form = panel.locator("form.mlops-NbForm")
    for field in KUBERNETES_ONLY_FIELDS:
        expect(form.locator(f'[name="{field}"]')).to_have_count(0)
    expect(form.locator('input[name="name"]')).to_be_visible()
    expect(form.locator(".mlops-NbForm-backendHint")).to_contain_text("apply only on Kubernetes")
    for theme in ("JupyterLab Dark", "JupyterLab Light"):
        choose_theme(page, theme)
        fit = panel.locator(".mlops-NbPanel").evaluate(_FORM_FIT_JS)
        assert not fit["panelScrolls"] and not fit["formScrolls"], f"{theme}: {fit}"
        assert fit["outside"] == [], f"{theme}: sticks out of the form: {fit}"
        assert fit["minContrast"] >= 4.5, f"{theme}: unreadable form text: {fit}"
        mlops_screenshot(page, f"notebook-servers-form-{theme.split()[-1].lower()}.png")

    form.locator('input[name="name"]').fill("ui-work")
    form.get_by_role("button", name="Spawn").click()
    row = panel.locator('[data-server$="/ui-work"]')
    expect(row).to_be_visible()
    expect(row.locator(".mlops-NbProgress")).to_be_visible()
    expect(row.locator('.mlops-NbStatus[data-status="Running"]')).to_be_visible(timeout=120_000)
    expect(row.locator(".mlops-NbEvents")).to_contain_text("Ready")
    mlops_screenshot(page, "notebook-servers.png")
    # Nothing of a local server can change after creation: no Edit.
    expect(row.get_by_role("button", name="Edit")).to_have_count(0)

    # A refused spawn shows the server's message next to the form.
    panel.get_by_role("button", name="New server").click()
    form.locator('input[name="name"]').fill("ui-work")
    form.get_by_role("button", name="Spawn").click()
    expect(form.get_by_role("alert")).to_contain_text("already has a notebook server")
    form.get_by_role("button", name="Cancel").click()
    expect(form).to_have_count(0)

    # Open: the spawned JupyterLab loads through our proxy, in a new tab.
    with page.context.expect_page() as opened:
        row.get_by_role("button", name="Open").click()
    lab = opened.value
    lab.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    lab.wait_for_selector("#jp-main-dock-panel")
    assert "/mlops/servers/" in lab.url and "/ui-work/lab" in lab.url
    lab.close()

    row.get_by_role("button", name="Logs").click()
    expect(row.locator('pre[aria-label="logs"]')).to_contain_text("Jupyter Server")
    row.get_by_role("button", name="Details").click()
    expect(row.locator('pre[aria-label="details"]')).to_contain_text("LocalProcess")

    row.get_by_role("button", name="Stop").click()
    expect(row.locator('.mlops-NbStatus[data-status="Stopped"]')).to_be_visible(timeout=30_000)

    row.get_by_role("button", name="Delete").first.click()
    row.get_by_label("Also delete the workspace volume").check()
    row.get_by_role("button", name="Delete ui-work").click()
    expect(row).to_have_count(0, timeout=15_000)
    assert mlops_lab.api("GET", "notebook-servers")["servers"] == []
    _narrow_the_side_bar(page, wide)  # the next tests find the layout they expect


def _narrow_the_side_bar(page: Page, width: float) -> float:
    """Drag the side bar's edge to `width`, as a user resizes it; returns the old width."""
    stack = page.locator("#jp-left-stack")
    box = stack.bounding_box()
    assert box is not None
    handle = page.locator("#jp-main-split-panel > .lm-SplitPanel-handle").first
    grip = handle.bounding_box()
    assert grip is not None
    x, y = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + width - box["width"], y, steps=5)
    page.mouse.up()
    narrowed = stack.bounding_box()
    assert narrowed is not None and abs(narrowed["width"] - width) <= 8, narrowed
    return float(box["width"])
