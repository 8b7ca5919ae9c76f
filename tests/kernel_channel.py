"""Run code on a kernel of a real jupyter server over its websocket, as JupyterLab does
(a plain module shared by test folders: conftest is not for importing)."""

from __future__ import annotations

import json
import time
import uuid

import websocket


def execute_on_kernel(
    server_url: str, token: str, kernel_id: str, code: str, timeout: float = 120
) -> tuple[str, list[str]]:
    """Send one execute request to the kernel and wait until it is idle again; return its
    stdout and the tracebacks of the errors it raised."""
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
            "store_history": True,
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
    return "".join(out), errors
