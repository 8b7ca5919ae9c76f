"""The Notebook Servers panel, seen by a user in a real JupyterLab: spawn a local server
from the form, watch it start, open it through the proxy, read its logs and details,
stop and delete it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .lab_server import LabServer

PANEL = "#mlops-notebook-servers"


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

    # A bad value is refused with the server's message, next to the form.
    panel.get_by_role("button", name="New server").click()
    form = panel.locator("form.mlops-NbForm")
    form.locator('input[name="name"]').fill("ui-work")
    form.locator('input[name="cpu"]').fill("lots")
    form.get_by_role("button", name="Spawn").click()
    expect(form.get_by_role("alert")).to_contain_text("cpu")
    # No GPU choice is offered: none are configured.
    expect(form.locator('select[name="gpus"]')).to_have_count(0)

    form.locator('input[name="cpu"]').fill("1")
    form.get_by_role("button", name="Spawn").click()
    row = panel.locator('[data-server$="/ui-work"]')
    expect(row).to_be_visible()
    expect(row.locator(".mlops-NbProgress")).to_be_visible()
    expect(row.locator('.mlops-NbStatus[data-status="Running"]')).to_be_visible(timeout=120_000)
    expect(row.locator(".mlops-NbEvents")).to_contain_text("Ready")
    mlops_screenshot(page, "notebook-servers.png")

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
