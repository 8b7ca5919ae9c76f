"""Inside a notebook server spawned from the Notebook Servers panel (a real local
``jupyter lab`` reached through our proxy), the MLOps and Pipelines panels talk to the
server that spawned it, as the server's owner: they list what is there, and never fall
into a loop of 404s from the spawned server, which has no jupyter-mlops API of its own."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Response, expect

from .lab_server import LabServer

SERVER = "ui-inside"
FLOW = """
import jupyter_mlops as mlops


@mlops.step
def greet(name: str) -> str:
    return "hello " + name


@mlops.pipeline
def central_greeting(name: str = "world"):
    return greet(name=name)
"""


@pytest.fixture
def mlops_spawned(mlops_lab: LabServer) -> Iterator[str]:
    """A running local notebook server of the lab's user; its URL path. Deleted after."""
    owner = mlops_lab.api("GET", "me")["user"]
    mlops_lab.api("POST", "notebook-servers", json={"name": SERVER})
    try:
        deadline = time.monotonic() + 120
        while True:
            server = mlops_lab.api("GET", f"notebook-servers/{owner}/{SERVER}")["server"]
            if server["status"] == "Running":
                break
            assert server["status"] not in ("Failed", "Stopped"), server
            assert time.monotonic() < deadline, f"not running after 120 s: {server}"
            time.sleep(0.5)
        yield f"mlops/servers/{owner}/{SERVER}/"
    finally:
        mlops_lab.api(
            "DELETE", f"notebook-servers/{owner}/{SERVER}", params={"delete_volume": "true"}
        )


def test_panels_in_a_spawned_server_talk_to_the_central_server(
    mlops_lab: LabServer, mlops_page: Page, mlops_spawned: str
) -> None:
    # Something on the central server for the panels to show.
    (mlops_lab.root / "central_flow.py").write_text(FLOW)
    mlops_lab.api("POST", "pipelines/compile", json={"path": "central_flow.py"})

    # The spawned JupyterLab, in the same browser (logged in to the central server).
    lab = mlops_page.context.new_page()
    api_answers: list[tuple[int, str]] = []

    def record(response: Response) -> None:
        if "/mlops/api/" in response.url:
            api_answers.append((response.status, response.url))

    lab.on("response", record)
    lab.goto(f"{mlops_lab.url}{mlops_spawned}lab")
    lab.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    lab.wait_for_selector("#jp-main-dock-panel")

    # The Pipelines panel lists the central server's pipelines.
    lab.click('.jp-SideBar [data-id="jupyter-mlops-pipelines"]')
    panel = lab.locator(".jp-mlops-pipelines")
    expect(panel).to_contain_text("central-greeting", timeout=30_000)
    expect(panel.locator(".jp-mlops-error")).to_have_count(0)
    # The MLOps sidebar lists the central server's experiments.
    lab.click('.jp-SideBar [data-id="jp-mlops-sidebar"]')
    expect(lab.locator("#jp-mlops-sidebar")).to_contain_text("Default", timeout=30_000)

    # Over two of the panels' 3 s polls: every answer from the central API, none a 404.
    lab.wait_for_timeout(7_000)
    assert api_answers, "the panels asked nothing"
    errors = [(status, url) for status, url in api_answers if status >= 400]
    assert errors == [], errors
    from_spawned = [url for _, url in api_answers if mlops_spawned in url]
    assert from_spawned == [], from_spawned
    lab.close()
