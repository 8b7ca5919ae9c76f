"""Run code in a kernel that a real jupyter server started for a notebook session, the way
JupyterLab does (REST session, then the kernel's websocket)."""

from __future__ import annotations

import requests
from kernel_channel import execute_on_kernel


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
    try:
        return execute_on_kernel(server_url, token, kernel_id, code, timeout)
    finally:
        requests.delete(server_url + f"api/sessions/{session['id']}", headers=headers, timeout=30)
