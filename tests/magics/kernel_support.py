"""Run code in a kernel that a real jupyter server started for a notebook session, the way
JupyterLab does (REST session, then the kernel's websocket)."""

from __future__ import annotations

import json
import time
import uuid

import requests
import websocket


def execute_in_notebook_session(
    server_url: str, token: str, notebook_path: str, code: str, timeout: float = 120
) -> tuple[str, list[str]]:
    """Open a session for ``notebook_path`` (which starts its kernel), run ``code``, close
    the session; return the kernel's stdout and the tracebacks of errors it raised."""
    headers = {"Authorization": f"token {token}"}
    created = requests.post(
        server_url + "api/sessions",
        json={
            "path": notebook_path,
            "name": notebook_path.rsplit("/", 1)[-1],
            "type": "notebook",
            "kernel": {"name": "python3"},
        },
        headers=headers,
        timeout=60,
    )
    created.raise_for_status()
    session = created.json()
    kernel_id = session["kernel"]["id"]
    ws_url = server_url.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels"
    msg_id = uuid.uuid4().hex
    request = {
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
        ws_url, header=[f"Authorization: token {token}"], timeout=30
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
        requests.delete(server_url + f"api/sessions/{session['id']}", headers=headers, timeout=30)
    return "".join(out), errors
