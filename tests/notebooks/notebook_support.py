"""Helpers of the notebook-server tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# tests/ holds the Kubernetes emulator package (shared with the pipelines tests).
_TESTS = str(Path(__file__).resolve().parent.parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from jupyter_mlops.notebooks.options import NotebookOptions, from_config  # noqa: E402

#: The key a server of ``run_mlops_server`` seals tokens with, under its JUPYTER_DATA_DIR.
CRYPT_KEY = Path("data", "mlops", "crypt_key")


def make_options(**overrides: Any) -> NotebookOptions:
    settings: dict[str, Any] = {
        "images": [
            {"image": "quay.io/jupyter/scipy-notebook:2025-03-14", "default": True},
            "quay.io/jupyter/pytorch-notebook:cuda12-2025-03-14",
        ],
        "allow_custom_image": False,
        "profiles": [],
        "gpu_resources": ["nvidia.com/gpu"],
        "max_gpus": 4,
        "quotas": {},
        "default_cpu": "0.5",
        "default_memory": "1Gi",
        "default_workspace_size": "5Gi",
        "storage_class": "",
        "cull_idle_seconds": 0,
        "shared_namespace": True,
    }
    settings.update(overrides)
    return from_config(**settings)


def load_root_conftest() -> Any:
    """tests/conftest.py as a module of its own name (for ``run_mlops_server``)."""
    import importlib.util

    path = Path(_TESTS) / "conftest.py"
    spec = importlib.util.spec_from_file_location("mlops_root_fixtures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class KernelChannel:
    """A kernel's WebSocket (through whatever URL is given), as JupyterLab uses it."""

    def __init__(self, ws_url: str, headers: dict[str, str]) -> None:
        import websocket

        self.ws = websocket.create_connection(
            ws_url, header=[f"{k}: {v}" for k, v in headers.items()], timeout=60
        )

    def send_execute(self, code: str) -> str:
        import json
        import uuid

        msg_id = uuid.uuid4().hex
        self.ws.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "execute_request",
                        "session": uuid.uuid4().hex,
                        "username": "test",
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": False,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        return msg_id

    def wait_output(self, msg_id: str) -> str:
        """The stdout of ``msg_id`` once it is done (errors raise)."""
        import json

        output = []
        while True:
            message = json.loads(self.ws.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["msg_type"]
            if kind == "stream":
                output.append(message["content"]["text"])
            elif kind == "error":
                raise AssertionError("\n".join(message["content"]["traceback"]))
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                return "".join(output)

    def execute(self, code: str) -> str:
        return self.wait_output(self.send_execute(code))

    def close(self) -> None:
        self.ws.close()


def stored_server_row(database: Path, owner: str, name: str) -> dict[str, Any]:
    """The ``notebook_servers`` row of ``owner/name``, read straight from the SQLite file
    (not through our store), column by column."""
    import contextlib
    import sqlite3

    with contextlib.closing(sqlite3.connect(database)) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute(
            "SELECT * FROM notebook_servers WHERE owner = ? AND name = ?", (owner, name)
        ).fetchone()
    assert row is not None, f"no row for {owner}/{name} in {database}"
    return dict(row)


def stored_server_token(database: Path, key_file: Path, owner: str, name: str) -> str:
    """The token of ``owner/name``: its stored runtime record's, unsealed with the key the
    server keeps in ``key_file`` (asserted to be stored sealed)."""
    import json

    from jupyter_mlops.sealed import Sealer

    sealed = json.loads(stored_server_row(database, owner, name)["runtime"])["token"]
    assert Sealer.is_sealed(sealed), sealed
    return Sealer(key_file.read_text(encoding="ascii").strip()).unseal(sealed)


# -- a real server of ``run_mlops_server`` ---------------------------------------------------
def api_call(
    server: Any, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
) -> Any:
    """``method mlops/api/<path>`` on ``server``, as its admin unless ``headers`` say who."""
    import requests

    return requests.request(
        method,
        f"{server.url}mlops/api/{path}",
        headers=server.headers if headers is None else headers,
        timeout=60,
        **kwargs,
    )


def wait_for_status(
    server: Any, user: str, name: str, status: str, timeout: float = 120
) -> dict[str, Any]:
    """Poll ``user/name``'s events (as the admin) until it has ``status``; the server's
    document with every event seen. A Failed server fails the test at once."""
    import time

    deadline = time.monotonic() + timeout
    cursor, seen = 0, []
    while time.monotonic() < deadline:
        answer = api_call(
            server, "GET", f"notebook-servers/{user}/{name}/events", params={"since": cursor}
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        cursor = body["cursor"]
        seen.extend(body["events"])
        if body["server"]["status"] == status:
            return {**body["server"], "events": seen}
        assert body["server"]["status"] != "Failed", (body["server"], seen)
        time.sleep(0.3)
    raise AssertionError(
        f"{user}/{name} never became {status}; events: {seen}\n{server.log_tail()}"
    )


def process_gone(pid: int) -> bool:
    """Exited (a zombie waiting for a parent that is not us counts as exited)."""
    import psutil

    try:
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True
