"""Helpers shared by the client tests (a plain module: conftest is not for importing)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import jupyter_mlops as mlops


@dataclass(frozen=True)
class Tracking:
    """Where the test's fluent calls go, and an explicit client on the same store."""

    kind: str  # "sqlite" or "rest"
    uri: str
    client: mlops.MlopsClient

    def experiment_name(self, label: str = "exp") -> str:
        """A name no other test uses (the REST server is shared by the session)."""
        return f"{label}-{uuid.uuid4().hex[:10]}"


def execute_in_server_kernel(server_url: str, token: str, code: str, timeout: float = 120) -> str:
    """Start a kernel through the server's REST API, run ``code`` over the kernel's
    websocket (as JupyterLab does), shut the kernel down, and return its stdout.

    The kernel is the server's child, so it has the environment the server gives kernels.
    """
    import json
    import time

    import requests
    import websocket

    headers = {"Authorization": f"token {token}"}
    started = requests.post(
        server_url + "api/kernels", json={"name": "python3"}, headers=headers, timeout=30
    )
    started.raise_for_status()
    kernel_id = started.json()["id"]
    ws_url = server_url.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels"
    session = uuid.uuid4().hex
    msg_id = uuid.uuid4().hex
    request = {
        "header": {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "session": session,
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
    out: list[str] = []
    errors: list[str] = []
    connection = websocket.create_connection(
        ws_url + f"?session_id={session}", header=[f"Authorization: token {token}"], timeout=30
    )
    try:
        connection.send(json.dumps(request))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(connection.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                errors.append("\n".join(content["traceback"]))
            elif kind == "status" and content["execution_state"] == "idle":
                break
        else:
            raise TimeoutError(f"kernel did not finish within {timeout} s; output: {out}")
    finally:
        connection.close()
        requests.delete(server_url + f"api/kernels/{kernel_id}", headers=headers, timeout=30)
    if errors:
        raise AssertionError("the kernel raised:\n" + "\n".join(errors))
    return "".join(out)
