"""The "view run" link: a ``%%track`` cell in a real kernel sends it once, above the cell's
own output; outside a kernel nothing is shown."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from jupyter_client.manager import KernelManager

import jupyter_mlops as mlops
from jupyter_mlops.client import run_link
from jupyter_mlops.client.run_link import RUN_LINK_MIME_TYPE

CELL = """%%track --experiment linked --name baseline
print("training")
"""


@pytest.fixture(scope="module")
def mlops_kernel_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    """A real IPython kernel (as JupyterLab starts one) logging to a SQLite store; yields
    its client and the store's URI."""
    base = tmp_path_factory.mktemp("kernel")
    uri = f"sqlite:///{base / 'mlops.db'}"
    env = {
        **os.environ,
        "JUPYTER_MLOPS_TRACKING_URI": uri,
        "JUPYTER_MLOPS_ARTIFACT_ROOT": str(base / "artifacts"),
    }
    env.pop("JUPYTER_MLOPS_TOKEN", None)
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env=env, cwd=str(base))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        yield client, uri
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _execute(client: Any, code: str) -> list[dict[str, Any]]:
    """Run ``code``; the iopub messages it caused, in order (errors fail the test)."""
    messages: list[dict[str, Any]] = []
    reply = client.execute_interactive(
        code, timeout=120, output_hook=messages.append, allow_stdin=False
    )
    errors = [m["content"] for m in messages if m["msg_type"] == "error"]
    assert reply["content"]["status"] == "ok", errors
    return messages


def test_track_cell_shows_one_link_to_its_run_above_its_output(
    mlops_kernel_store: tuple[Any, str],
) -> None:
    client, uri = mlops_kernel_store
    _execute(client, "%load_ext jupyter_mlops")

    # When a %%track cell runs in the kernel
    messages = _execute(client, CELL)

    # Then its output starts with one link to the run it started, then its own output
    shown = [
        (m["msg_type"], m["content"])
        for m in messages
        if m["msg_type"] in ("display_data", "stream")
    ]
    links = [c["data"] for kind, c in shown if kind == "display_data"]
    assert len(links) == 1, shown
    link = links[0][RUN_LINK_MIME_TYPE]
    assert shown[0][0] == "display_data"
    assert any(kind == "stream" and "training" in c["text"] for kind, c in shown[1:])
    # ...naming the run as the store has it, with a text fallback for other frontends.
    with mlops.MlopsClient(uri) as store:
        run = store.get_run(link["run_id"])
    assert run.info.run_name == "baseline" == link["run_name"]
    assert link["experiment_id"] == run.info.experiment_id
    assert run.info.run_id in links[0]["text/plain"]
    assert "baseline" in links[0]["text/plain"]


def test_no_link_outside_a_kernel(mlops_ipython: Any, mlops_local_store: Any) -> None:
    # A terminal IPython shell (no kernel, so no panel to open the run in)
    with mlops.start_run(run_name="quiet") as active:
        assert run_link.display_run_link(active.info) is False
    # and, in a kernel too, links_off() keeps a caller's own link the only one
    with run_link.links_off():
        assert run_link.display_run_link(active.info) is False


def test_start_run_in_a_cell_shows_a_link_and_nested_runs_do_not(
    mlops_kernel_store: tuple[Any, str],
) -> None:
    client, _ = mlops_kernel_store

    messages = _execute(
        client,
        "import jupyter_mlops as mlops\n"
        "with mlops.start_run(run_name='outer'):\n"
        "    for i in range(3):\n"
        "        with mlops.start_run(run_name=f'inner-{i}', nested=True):\n"
        "            pass\n",
    )

    links = [
        m["content"]["data"][RUN_LINK_MIME_TYPE]
        for m in messages
        if m["msg_type"] == "display_data" and RUN_LINK_MIME_TYPE in m["content"]["data"]
    ]
    assert [link["run_name"] for link in links] == ["outer"]
