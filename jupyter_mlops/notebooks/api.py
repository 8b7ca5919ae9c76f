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
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import InvalidState

if TYPE_CHECKING:  # the HTTP client is imported on the first call, not with the package
    from ..client.rest_session import RestSession


class NotebookServersAPI:
    """Lifecycle of notebook servers; ``owner`` defaults to the caller."""

    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        self._url = url
        self._token = token
        self._sessions: dict[tuple[str, str | None], RestSession] = {}
        self._lock = threading.Lock()

    def _session(self) -> RestSession:
        """The session of the server the tracking URI names (resolved at each call)."""
        from ..client.rest_session import RestSession
        from ..client.uri import resolve_tracking_uri

        url, token = resolve_tracking_uri(self._url, self._token)
        if not url.startswith(("http://", "https://")):
            raise InvalidState(
                "notebook servers are managed by a jupyter-mlops server; set "
                "JUPYTER_MLOPS_TRACKING_URI (and JUPYTER_MLOPS_TOKEN) or mlops.set_tracking_uri"
            )
        with self._lock:
            session = self._sessions.get((url, token))
            if session is None:
                session = self._sessions[(url, token)] = RestSession(url, token)
            return session

    def _call(self, operation_id: str, arguments: Mapping[str, Any]) -> Any:
        return self._session().call(operation_id, arguments)

    def _send(self, operation_id: str, path_arguments: Mapping[str, Any], body: Any) -> Any:
        """An operation with the JSON body as given: its null members are sent too
        (``cull_idle_seconds: null`` means the configured default), where ``call`` would
        leave them out."""
        from ..api.operations import operation
        from ..client.rest_session import read_result, wire_request

        declared = operation(operation_id)
        path, _, _ = wire_request(declared, path_arguments)
        return read_result(declared, self._session().json(declared.method, path, body=body))

    def _item(self, name: str, owner: str | None) -> dict[str, Any]:
        return {"owner": self.whoami() if owner is None else owner, "name": name}

    def whoami(self) -> str:
        user: str = self._session().json("GET", "me")["user"]
        return user

    # -- the API -------------------------------------------------------------------------
    def options(self) -> dict[str, Any]:
        """Images, profiles, GPU resources, defaults and your quota."""
        result: dict[str, Any] = self._call("getNotebookServerOptions", {})
        return result

    def list(self, user: str | None = None) -> list[dict[str, Any]]:
        servers: list[dict[str, Any]] = []
        token = None
        while True:
            arguments = {"owner": user or None, "max_results": 1000, "page_token": token}
            page = self._call("listNotebookServers", arguments)
            servers.extend(page.items)
            token = page.next_page_token
            if not token:
                return servers

    def create(
        self, name: str, *, owner: str | None = None, start: bool = True, **spec: Any
    ) -> dict[str, Any]:
        """Create (and start) a server; ``spec``: image, profile, cpu, memory, gpus, ..."""
        body = {"name": name, "start": start, **spec}
        if owner is not None:
            body["owner"] = owner
        server: dict[str, Any] = self._send("createNotebookServer", {}, body)
        return server

    def get(self, name: str, owner: str | None = None) -> dict[str, Any]:
        server: dict[str, Any] = self._call("getNotebookServer", self._item(name, owner))
        return server

    def update(self, name: str, owner: str | None = None, **changes: Any) -> dict[str, Any]:
        """Change image, cpu, memory, gpus, env...; applied at the next start."""
        server: dict[str, Any] = self._send(
            "updateNotebookServer", self._item(name, owner), changes
        )
        return server

    def start(self, name: str, owner: str | None = None) -> dict[str, Any]:
        server: dict[str, Any] = self._call("startNotebookServer", self._item(name, owner))
        return server

    def stop(self, name: str, owner: str | None = None) -> dict[str, Any]:
        server: dict[str, Any] = self._call("stopNotebookServer", self._item(name, owner))
        return server

    def delete(self, name: str, owner: str | None = None, *, delete_volume: bool = False) -> None:
        arguments = {**self._item(name, owner), "delete_volume": delete_volume}
        self._call("deleteNotebookServer", arguments)

    def logs(self, name: str, owner: str | None = None, tail: int = 1000) -> str:
        logs: str = self._call("getNotebookServerLogs", {**self._item(name, owner), "tail": tail})
        return logs

    def events(self, name: str, owner: str | None = None, since: int = 0) -> dict[str, Any]:
        """``{"server", "events", "cursor"}``; pass ``cursor`` back as ``since``."""
        arguments = {**self._item(name, owner), "since": since}
        result: dict[str, Any] = self._call("getNotebookServerEvents", arguments)
        return result

    def manifest(self, name: str, owner: str | None = None) -> builtins.list[dict[str, Any]]:
        manifests: builtins.list[dict[str, Any]] = self._call(
            "getNotebookServerManifest", self._item(name, owner)
        )
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
