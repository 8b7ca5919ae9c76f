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
