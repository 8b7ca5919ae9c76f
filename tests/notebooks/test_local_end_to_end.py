"""The local backend for real: our jupyter server spawns ``jupyter lab`` processes, proxies
HTTP and kernel WebSockets to them, culls an idle one (a busy kernel and an open terminal
keep it alive), and after a restart of our server finds the running one again.

Real processes on a shared 2-core machine: one module, two spawned servers, short timeouts.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from notebook_support import (
    CRYPT_KEY,
    KernelChannel,
    api_call,
    load_root_conftest,
    process_gone,
    stored_server_row,
    stored_server_token,
    wait_for_status,
)

from jupyter_mlops.notebooks.api import NotebookServersAPI

pytestmark = pytest.mark.slow

_root = load_root_conftest()
SERVER_ARGS = (
    "--NotebookServers.monitor_interval=0.5",
    "--NotebookServers.cull_interval=1",
    "--NotebookServers.cull_idle_timeout=0",
)


def test_spawn_proxy_track_cull_and_restart(tmp_path: Path, mlops_local_pids: list[int]) -> None:
    root = tmp_path / "mlops"
    with _root.run_mlops_server(root, SERVER_ARGS) as server:
        user = api_call(server, "GET", "me").json()["user"]
        process = _spawned_with_progress(server, user, mlops_local_pids)
        _token_sealed_and_only_in_its_environment(server, root, user, process)
        _proxied_over_http_with_our_token(server, user)
        _kernel_over_the_proxied_websocket_logs_a_run(server, user)
        _culled_once_idle(server, user, mlops_local_pids)
    with _root.run_mlops_server(root, SERVER_ARGS) as server:
        _found_again_after_a_restart(server, user, mlops_local_pids)


def _spawned_with_progress(server: Any, user: str, pids: list[int]) -> dict[str, Any]:
    """Spawn, with progress; the local process of the server."""
    created = api_call(
        server, "POST", "notebook-servers", json={"name": "work", "cull_idle_seconds": 0}
    )
    assert created.status_code == 201, created.text
    running = wait_for_status(server, user, "work", "Running")
    reasons = [e["reason"] for e in running["events"]]
    assert reasons[0] == "Created" and "Ready" in reasons
    manifest = api_call(server, "GET", f"notebook-servers/{user}/work/manifest").json()
    process: dict[str, Any] = manifest["manifests"][0]
    pids.append(process["pid"])
    return process


def _token_sealed_and_only_in_its_environment(
    server: Any, root: Path, user: str, process: dict[str, Any]
) -> None:
    """Its token: sealed in the database, in its environment, never on a command line."""
    token = stored_server_token(root / "mlops.db", root / CRYPT_KEY, user, "work")
    assert token not in repr(stored_server_row(root / "mlops.db", user, "work"))
    assert "JUPYTER_TOKEN" in process["environment"]
    assert token not in " ".join(process["command"])
    assert token not in Path(f"/proc/{process['pid']}/cmdline").read_text()
    environ = Path(f"/proc/{process['pid']}/environ").read_bytes().split(b"\0")
    assert f"JUPYTER_TOKEN={token}".encode() in environ
    assert not [v for v in environ if server.token.encode() in v]  # not our own token
    # Single-user mode: the server runs as our account (root here, hence --allow-root).
    assert ("--allow-root" in process["command"]) == (os.geteuid() == 0)
    assert process["user"] == ""


def _proxied_over_http_with_our_token(server: Any, user: str) -> None:
    """HTTP through the proxy, with our token (the server's own stays inside)."""
    base = f"{server.url}mlops/servers/{user}/work/"
    status = requests.get(base + "api/status", headers=server.headers, timeout=30)
    assert status.status_code == 200 and "started" in status.json()
    lab = requests.get(base + "lab", headers=server.headers, timeout=30)
    assert lab.status_code == 200 and f"/mlops/servers/{user}/work/" in lab.text
    # The notebook server's own cookies (scoped to its path) are not passed back.
    cookies = lab.raw.headers.getlist("Set-Cookie")
    assert not [c for c in cookies if "/mlops/servers/" in c], cookies
    anonymous = requests.get(base + "api/status", timeout=30, allow_redirects=False)
    assert anonymous.status_code in (302, 403)


def _kernel_over_the_proxied_websocket_logs_a_run(server: Any, user: str) -> None:
    """A kernel over the proxied WebSocket logs a run to our store."""
    base = f"{server.url}mlops/servers/{user}/work/"
    kernel = requests.post(
        base + "api/kernels", json={"name": "python3"}, headers=server.headers, timeout=60
    )
    assert kernel.status_code == 201, kernel.text
    ws_url = base.replace("http", "ws", 1) + f"api/kernels/{kernel.json()['id']}/channels"
    channel = KernelChannel(ws_url, server.headers)
    try:
        output = channel.execute(
            "import os, jupyter_mlops as mlops\n"
            "with mlops.start_run(experiment='from-a-notebook-server') as run:\n"
            "    mlops.log_param('where', os.environ['JUPYTER_MLOPS_NOTEBOOK_SERVER'])\n"
            "print(run.info.run_id)\n"
        )
    finally:
        channel.close()
    run_id = output.strip().splitlines()[-1]
    run = api_call(server, "GET", f"runs/{run_id}").json()["run"]
    assert run["params"]["where"] == f"{user}/work"
    assert run["info"]["user"] == user


def _culled_once_idle(server: Any, user: str, pids: list[int]) -> None:
    """Culling: a busy kernel and an open terminal are activity; then it is idle (through
    the Python API, mlops.notebook_servers)."""
    python_api = NotebookServersAPI(server.url, server.token)
    assert python_api.create("idle", cull_idle_seconds=3)["owner"] == user
    assert python_api.wait("idle", timeout=120)["status"] == "Running"
    assert [s["name"] for s in python_api.list()] == ["idle", "work"]
    idle_base = f"{server.url}mlops/servers/{user}/idle/"
    pid = api_call(server, "GET", f"notebook-servers/{user}/idle/manifest").json()["manifests"][0][
        "pid"
    ]
    pids.append(pid)
    kernel = requests.post(
        idle_base + "api/kernels", json={"name": "python3"}, headers=server.headers, timeout=60
    )
    channel = KernelChannel(
        idle_base.replace("http", "ws", 1) + f"api/kernels/{kernel.json()['id']}/channels",
        server.headers,
    )
    busy = channel.send_execute("import time; time.sleep(6)")
    time.sleep(5)
    assert (
        api_call(server, "GET", f"notebook-servers/{user}/idle").json()["server"]["status"]
        == "Running"
    )
    terminal = requests.post(idle_base + "api/terminals", headers=server.headers, timeout=30)
    assert terminal.status_code == 200, terminal.text
    channel.wait_output(busy)
    channel.close()
    time.sleep(5)
    assert (
        api_call(server, "GET", f"notebook-servers/{user}/idle").json()["server"]["status"]
        == "Running"
    )
    requests.delete(
        idle_base + f"api/terminals/{terminal.json()['name']}",
        headers=server.headers,
        timeout=30,
    )
    culled = wait_for_status(server, user, "idle", "Stopped", timeout=30)
    assert culled["reason"] == "Culled" and culled["last_activity"]
    assert api_call(server, "GET", f"notebook-servers/{user}/idle/logs").status_code == 200
    assert process_gone(pid)
    assert "Culled" in [e["reason"] for e in culled["events"]]


def _found_again_after_a_restart(server: Any, user: str, pids: list[int]) -> None:
    """Our server restarts; the running notebook server is found again."""
    found = wait_for_status(server, user, "work", "Running", timeout=30)
    assert found["status"] == "Running"
    base = f"{server.url}mlops/servers/{user}/work/"
    assert requests.get(base + "api/status", headers=server.headers, timeout=30).status_code == 200
    assert (
        api_call(server, "GET", f"notebook-servers/{user}/idle").json()["server"]["status"]
        == "Stopped"
    )
    deleted = api_call(
        server, "DELETE", f"notebook-servers/{user}/work", params={"delete_volume": "true"}
    )
    assert deleted.status_code == 204
    NotebookServersAPI(server.url, server.token).delete("idle", delete_volume=True)
    assert NotebookServersAPI(server.url, server.token).list() == []
    assert process_gone(pids[0])
