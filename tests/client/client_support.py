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
    import requests
    from kernel_channel import execute_on_kernel

    headers = {"Authorization": f"token {token}"}
    started = requests.post(
        server_url + "api/kernels", json={"name": "python3"}, headers=headers, timeout=30
    )
    started.raise_for_status()
    kernel_id = started.json()["id"]
    try:
        out, errors = execute_on_kernel(server_url, token, kernel_id, code, timeout)
    finally:
        requests.delete(server_url + f"api/kernels/{kernel_id}", headers=headers, timeout=30)
    if errors:
        raise AssertionError("the kernel raised:\n" + "\n".join(errors))
    return out
