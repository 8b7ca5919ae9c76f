"""``mlops.notebook_servers``: notebook servers from Python (a notebook, a script, CI).

It talks to a jupyter-mlops server's REST API, found like the tracking client finds it
(``set_tracking_uri``, or ``JUPYTER_MLOPS_TRACKING_URI`` / ``JUPYTER_MLOPS_TOKEN``, which
kernels started by the server have). Answers are the API's JSON objects (dicts)::

    import jupyter_mlops as mlops

    mlops.notebook_servers.create("work", cpu="2", memory="8Gi")
    mlops.notebook_servers.wait("work")                  # until Running; raises if Failed
    mlops.notebook_servers.list()                        # yours (an admin: user="bob")
    mlops.notebook_servers.stop("work")
"""

from __future__ import annotations

import builtins
import time
import urllib.parse
from typing import Any

from ..errors import (
    AlreadyExists,
    InvalidParameter,
    InvalidState,
    MLOpsError,
    NotFound,
    PermissionDenied,
)

_ERRORS: dict[int, type[MLOpsError]] = {
    400: InvalidParameter,
    403: PermissionDenied,
    404: NotFound,
    409: InvalidState,
}


class NotebookServersAPI:
    """Lifecycle of notebook servers; ``owner`` defaults to the caller."""

    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        self._url = url
        self._token = token

    def _connection(self) -> tuple[str, dict[str, str]]:
        from ..client.uri import resolve_tracking_uri

        url, token = resolve_tracking_uri(self._url, self._token)
        if not url.startswith(("http://", "https://")):
            raise InvalidState(
                "notebook servers are managed by a jupyter-mlops server; set "
                "JUPYTER_MLOPS_TRACKING_URI (and JUPYTER_MLOPS_TOKEN) or mlops.set_tracking_uri"
            )
        headers = {"Authorization": f"token {token}"} if token else {}
        return url.rstrip("/") + "/mlops/api/notebook-servers", headers

    def _call(self, method: str, path: str = "", **kwargs: Any) -> Any:
        import requests

        base, headers = self._connection()
        response = requests.request(method, base + path, headers=headers, timeout=120, **kwargs)
        if response.status_code == 204:
            return None
        try:
            body = response.json()
        except ValueError:
            body = {"error": {"message": response.text[:500]}}
        if response.status_code >= 400:
            error = body.get("error", {}) if isinstance(body, dict) else {}
            message = error.get("message", f"HTTP {response.status_code}")
            kind = _ERRORS.get(response.status_code, MLOpsError)
            if response.status_code == 409 and error.get("code") == "RESOURCE_ALREADY_EXISTS":
                kind = AlreadyExists
            raise kind(message, field=error.get("field"))
        return body

    def _item(self, name: str, owner: str | None) -> str:
        if owner is None:
            owner = self.whoami()
        quote = urllib.parse.quote
        return f"/{quote(owner, safe='')}/{quote(name, safe='')}"

    def whoami(self) -> str:
        base, headers = self._connection()
        import requests

        response = requests.get(base.rsplit("/", 1)[0] + "/me", headers=headers, timeout=30)
        response.raise_for_status()
        user: str = response.json()["user"]
        return user

    # -- the API -------------------------------------------------------------------------
    def options(self) -> dict[str, Any]:
        """Images, profiles, GPU resources, defaults and your quota."""
        result: dict[str, Any] = self._call("GET", "/options")
        return result

    def list(self, user: str | None = None) -> list[dict[str, Any]]:
        servers: list[dict[str, Any]] = []
        token = None
        while True:
            params: dict[str, Any] = {"max_results": 1000}
            if user:
                params["user"] = user
            if token:
                params["page_token"] = token
            page = self._call("GET", "", params=params)
            servers.extend(page["servers"])
            token = page["next_page_token"]
            if not token:
                return servers

    def create(
        self, name: str, *, owner: str | None = None, start: bool = True, **spec: Any
    ) -> dict[str, Any]:
        """Create (and start) a server; ``spec``: image, profile, cpu, memory, gpus, ..."""
        body = {"name": name, "start": start, **spec}
        if owner is not None:
            body["owner"] = owner
        server: dict[str, Any] = self._call("POST", "", json=body)["server"]
        return server

    def get(self, name: str, owner: str | None = None) -> dict[str, Any]:
        server: dict[str, Any] = self._call("GET", self._item(name, owner))["server"]
        return server

    def update(self, name: str, owner: str | None = None, **changes: Any) -> dict[str, Any]:
        """Change image, cpu, memory, gpus, env...; applied at the next start."""
        server: dict[str, Any] = self._call("PATCH", self._item(name, owner), json=changes)[
            "server"
        ]
        return server

    def start(self, name: str, owner: str | None = None) -> dict[str, Any]:
        server: dict[str, Any] = self._call("POST", self._item(name, owner) + "/start")["server"]
        return server

    def stop(self, name: str, owner: str | None = None) -> dict[str, Any]:
        server: dict[str, Any] = self._call("POST", self._item(name, owner) + "/stop")["server"]
        return server

    def delete(self, name: str, owner: str | None = None, *, delete_volume: bool = False) -> None:
        self._call(
            "DELETE",
            self._item(name, owner),
            params={"delete_volume": "true" if delete_volume else "false"},
        )

    def logs(self, name: str, owner: str | None = None, tail: int = 1000) -> str:
        logs: str = self._call("GET", self._item(name, owner) + "/logs", params={"tail": tail})[
            "logs"
        ]
        return logs

    def events(self, name: str, owner: str | None = None, since: int = 0) -> dict[str, Any]:
        """``{"server", "events", "cursor"}``; pass ``cursor`` back as ``since``."""
        result: dict[str, Any] = self._call(
            "GET", self._item(name, owner) + "/events", params={"since": since}
        )
        return result

    def manifest(self, name: str, owner: str | None = None) -> builtins.list[dict[str, Any]]:
        manifests: builtins.list[dict[str, Any]] = self._call(
            "GET", self._item(name, owner) + "/manifest"
        )["manifests"]
        return manifests

    def wait(
        self,
        name: str,
        owner: str | None = None,
        status: str = "Running",
        timeout: float = 600,
        interval: float = 1.0,
    ) -> dict[str, Any]:
        """Poll until the server is ``status``; InvalidState when it fails or times out."""
        owner = owner or self.whoami()
        deadline = time.monotonic() + timeout
        cursor = 0
        while True:
            answer = self.events(name, owner, since=cursor)
            cursor = answer["cursor"]
            server: dict[str, Any] = answer["server"]
            if server["status"] == status:
                return server
            if server["status"] == "Failed" and status != "Failed":
                raise InvalidState(
                    f"{owner}/{name} failed: {server['reason']}: {server['message']}"
                )
            if time.monotonic() > deadline:
                raise InvalidState(f"{owner}/{name} is still {server['status']} after {timeout} s")
            time.sleep(interval)


#: The instance ``mlops.notebook_servers`` (configured from the environment at each call).
notebook_servers = NotebookServersAPI()
