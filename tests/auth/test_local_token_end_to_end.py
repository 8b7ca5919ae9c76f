"""For real: an admin spawns a local notebook server for Alice; code in its kernel logs a
run with no set-up, and the run is Alice's, because the server got an API token of hers
(not our server's own token). The token reaches our tracking API only, and is revoked
when the server is deleted.

One spawned server on a shared 2-core machine: one test, short timeouts.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "notebooks"))
from notebook_support import KernelChannel, load_root_conftest

pytestmark = pytest.mark.slow

_root = load_root_conftest()
HERE = Path(__file__).resolve().parent
SERVER_ARGS = (
    "--ServerApp.identity_provider_class=users_identity.HeaderUsers",
    # Single-user mode, said explicitly: the server for Alice runs as this server's account
    # (multi-user mode would run it as Alice's OS account: tests/notebooks/
    # test_local_multi_user.py), and its admin may open it.
    "--MlopsExtension.user_mode=single-user",
    "--MlopsExtension.admin_access=True",
    "--MlopsExtension.admin_users=admin",
    "--NotebookServers.monitor_interval=0.5",
    "--NotebookServers.cull_interval=0",
)


def _api(server: Any, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(
        method, f"{server.url}mlops/api/{path}", headers=server.headers, timeout=60, **kwargs
    )


def _wait_running(server: Any, owner: str, name: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = _api(server, "GET", f"notebook-servers/{owner}/{name}").json()["server"]
        if body["status"] == "Running":
            return
        assert body["status"] != "Failed", body
        time.sleep(0.3)
    raise AssertionError(f"{owner}/{name} never ran:\n{server.log_tail()}")


def test_a_server_spawned_for_alice_logs_runs_as_alice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The identity provider above must be importable by the server subprocess.
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
    )
    pid = None
    with _root.run_mlops_server(tmp_path / "mlops", SERVER_ARGS) as server:
        try:
            assert _api(server, "GET", "me").json() == {
                "user": "admin",
                "is_admin": True,
                "mode": "single-user",
            }
            created = _api(
                server,
                "POST",
                "notebook-servers",
                json={"owner": "alice", "name": "box", "cull_idle_seconds": 0},
            )
            assert created.status_code == 201, created.text
            _wait_running(server, "alice", "box")
            manifest = _api(server, "GET", "notebook-servers/alice/box/manifest").json()
            pid = manifest["manifests"][0]["pid"]
            assert "JUPYTER_MLOPS_TOKEN" in manifest["manifests"][0]["environment"]

            tokens = _api(server, "GET", "tokens", params={"user": "alice"}).json()["tokens"]
            assert [(t["owner"], t["notebook_server"]) for t in tokens] == [("alice", "alice/box")]

            # The admin reaches Alice's server through the proxy and runs code in a kernel.
            base = f"{server.url}mlops/servers/alice/box/"
            kernel = requests.post(
                base + "api/kernels", json={"name": "python3"}, headers=server.headers, timeout=60
            )
            assert kernel.status_code == 201, kernel.text
            channel = KernelChannel(
                base.replace("http", "ws", 1) + f"api/kernels/{kernel.json()['id']}/channels",
                server.headers,
            )
            try:
                output = channel.execute(
                    "import os, requests, jupyter_mlops as mlops\n"
                    "with mlops.start_run(experiment='alice-box') as run:\n"
                    "    mlops.log_param('p', 1)\n"
                    "uri, tok = os.environ['JUPYTER_MLOPS_TRACKING_URI'], "
                    "os.environ['JUPYTER_MLOPS_TOKEN']\n"
                    "h = {'Authorization': 'token ' + tok}\n"
                    "print(tok.startswith('mlops_'), "
                    "requests.get(uri + 'api/kernels', headers=h).status_code, "
                    "requests.get(uri + 'api/contents', headers=h).status_code)\n"
                    "print(run.info.run_id)\n"
                )
            finally:
                channel.close()
            lines = output.strip().splitlines()
            assert lines[-2] == "True 403 403", output
            run = _api(server, "GET", f"runs/{lines[-1]}").json()["run"]
            assert run["info"]["user"] == "alice"
            assert run["params"] == {"p": "1"}

            deleted = _api(
                server, "DELETE", "notebook-servers/alice/box", params={"delete_volume": "true"}
            )
            assert deleted.status_code == 204
            assert _api(server, "GET", "tokens", params={"user": "alice"}).json()["tokens"] == []
        finally:
            if pid:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
