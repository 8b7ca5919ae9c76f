"""The emulator's HTTP face: the Kubernetes REST paths over :class:`ClusterState`, served by
tornado on a loopback port from a background thread, so the real ``kubernetes`` client
(synchronous or not) can talk to it from any thread of the test process."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from .resources import Resource
from .state import ApiError, ClusterState


class _Handler(web.RequestHandler):
    state: ClusterState

    def initialize(self, state: ClusterState) -> None:
        self.state = state

    def check_xsrf_cookie(self) -> None:  # an API, not a form
        return None

    # -- plumbing --------------------------------------------------------------------------
    def _route(
        self, group: str, version: str, rest: str
    ) -> tuple[Resource, str | None, str | None, str | None]:
        parts = [p for p in rest.split("/") if p]
        namespace = None
        if len(parts) >= 3 and parts[0] == "namespaces":
            namespace, parts = parts[1], parts[2:]
        if not parts:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        resource = self.state.resources.get(group, version, parts[0])
        if resource is None:
            raise ApiError(
                404,
                "NotFound",
                f"the server could not find the requested resource ({group}/{version} {parts[0]})",
            )
        name = parts[1] if len(parts) > 1 else None
        sub = "/".join(parts[2:]) or None
        return resource, namespace, name, sub

    def _json(self, document: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(document))

    def _body(self) -> Any:
        try:
            return json.loads(self.request.body or b"{}")
        except ValueError:
            raise ApiError(400, "BadRequest", "the body is not JSON") from None

    async def _dispatch(self, group: str, version: str, rest: str) -> None:
        self.state.requests.append((self.request.method or "", self.request.uri or ""))
        try:
            await self._serve(group, version, rest)
        except ApiError as error:
            self._json(error.status(), error.code)

    async def _serve(self, group: str, version: str, rest: str) -> None:
        resource, namespace, name, sub = self._route(group, version, rest)
        method = self.request.method
        state = self.state
        if sub == "scale":
            if not resource.scale_subresource:
                raise ApiError(404, "NotFound", f"{resource.plural} has no scale subresource")
            assert name is not None
            await self._scale(resource, namespace, name)
            return
        if sub == "log" and resource.plural == "pods":
            assert name is not None
            state.get(resource, namespace, name)  # 404 when there is no such pod
            text = state.get_log(namespace or "default", name, self.get_argument("container", None))
            tail = self.get_argument("tailLines", None)
            if tail is not None:
                lines = text.splitlines(keepends=True)
                text = "".join(lines[-int(tail) :]) if int(tail) > 0 else ""
            self.set_header("Content-Type", "text/plain")
            self.finish(text)
            return
        if sub not in (None, "status"):
            raise ApiError(404, "NotFound", f"unsupported subresource {sub!r}")
        if sub == "status" and not resource.status_subresource:
            raise ApiError(404, "NotFound", f"{resource.plural} has no status subresource")
        if method == "GET" and name is None:
            if self.get_argument("watch", "") in ("true", "1"):
                await self._watch(resource, namespace)
                return
            items = state.list(
                resource,
                namespace,
                self.get_argument("labelSelector", ""),
                self.get_argument("fieldSelector", ""),
            )
            self._json(
                {
                    "kind": f"{resource.kind}List",
                    "apiVersion": resource.api_version,
                    "metadata": {"resourceVersion": state.resource_version},
                    "items": items,
                }
            )
        elif method == "GET":
            assert name is not None
            self._json(state.get(resource, namespace, name))
        elif method == "POST" and name is None:
            self._json(state.create(resource, namespace, self._body()), 201)
        elif method == "PUT" and name is not None:
            self._json(state.replace(resource, namespace, name, self._body(), sub))
        elif method == "PATCH" and name is not None:
            content_type = self.request.headers.get("Content-Type", "")
            self._json(state.patch(resource, namespace, name, self._body(), content_type, sub))
        elif method == "DELETE" and name is not None:
            self._json(state.delete(resource, namespace, name))
        elif method == "DELETE":
            selector = self.get_argument("labelSelector", "")
            deleted = [
                state.delete(resource, o["metadata"].get("namespace"), o["metadata"]["name"])
                for o in state.list(resource, namespace, selector)
            ]
            self._json({"kind": f"{resource.kind}List", "items": deleted})
        else:
            raise ApiError(405, "MethodNotAllowed", f"{method} is not supported here")

    async def _scale(self, resource: Resource, namespace: str | None, name: str) -> None:
        state = self.state
        method = self.request.method
        if method in ("PUT", "PATCH"):
            with state.lock:
                current = state.get(resource, namespace, name)
                scale = _scale_of(current)
                if method == "PUT":
                    scale = self._body()
                else:
                    from .state import apply_json_patch, merge_patch

                    body = self._body()
                    if "json-patch" in self.request.headers.get("Content-Type", ""):
                        scale = apply_json_patch(scale, body)
                    else:
                        scale = merge_patch(scale, body)
                replicas = int(scale.get("spec", {}).get("replicas", 0))
                state.patch(
                    resource,
                    namespace,
                    name,
                    {"spec": {"replicas": replicas}},
                    "application/merge-patch+json",
                )
        self._json(_scale_of(state.get(resource, namespace, name)))

    async def _watch(self, resource: Resource, namespace: str | None) -> None:
        state = self.state
        self.set_header("Content-Type", "application/json")
        timeout = float(self.get_argument("timeoutSeconds", "60"))
        raw_rv = self.get_argument("resourceVersion", "")
        selector = self.get_argument("labelSelector", "")
        fields = self.get_argument("fieldSelector", "")
        from .state import parse_field_selector, parse_label_selector

        labels = parse_label_selector(selector)
        field_matchers = parse_field_selector(fields)

        def wanted(obj: dict[str, Any]) -> bool:
            obj_labels = obj.get("metadata", {}).get("labels") or {}
            return all(m(obj_labels) for m in labels) and all(m(obj) for m in field_matchers)

        with state.lock:
            if raw_rv and raw_rv != "0":
                since = int(raw_rv)
            else:
                since = int(state.resource_version)
                for obj in state.list(resource, namespace, selector, fields):
                    self.write(json.dumps({"type": "ADDED", "object": obj}) + "\n")
        await self.flush()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in state.events_after(resource, namespace, since):
                since = event.resource_version
                if wanted(event.object):
                    self.write(json.dumps({"type": event.type, "object": event.object}) + "\n")
            try:
                await self.flush()
            except Exception:  # the client went away
                return
            await asyncio.sleep(0.05)
        self.finish()

    # -- verbs -----------------------------------------------------------------------------
    async def get(self, group: str, version: str, rest: str) -> None:
        await self._dispatch(group, version, rest)

    async def post(self, group: str, version: str, rest: str) -> None:
        await self._dispatch(group, version, rest)

    async def put(self, group: str, version: str, rest: str) -> None:
        await self._dispatch(group, version, rest)

    async def patch(self, group: str, version: str, rest: str) -> None:
        await self._dispatch(group, version, rest)

    async def delete(self, group: str, version: str, rest: str) -> None:
        await self._dispatch(group, version, rest)


class _CoreHandler(_Handler):
    async def get(self, rest: str) -> None:  # type: ignore[override]
        await self._dispatch("", "v1", rest)

    async def post(self, rest: str) -> None:  # type: ignore[override]
        await self._dispatch("", "v1", rest)

    async def put(self, rest: str) -> None:  # type: ignore[override]
        await self._dispatch("", "v1", rest)

    async def patch(self, rest: str) -> None:  # type: ignore[override]
        await self._dispatch("", "v1", rest)

    async def delete(self, rest: str) -> None:  # type: ignore[override]
        await self._dispatch("", "v1", rest)


class _VersionHandler(web.RequestHandler):
    def get(self) -> None:
        self.finish({"major": "1", "minor": "31", "gitVersion": "v1.31.0-kube-emulator"})


def _scale_of(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj["metadata"]
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta["name"],
            "namespace": meta.get("namespace"),
            "uid": meta.get("uid"),
            "resourceVersion": meta.get("resourceVersion"),
        },
        "spec": {"replicas": obj.get("spec", {}).get("replicas", 1)},
        "status": {"replicas": obj.get("status", {}).get("replicas", 0)},
    }


class EmulatorServer:
    """Serves ``state`` on ``http://127.0.0.1:<port>`` from a daemon thread."""

    def __init__(self, state: ClusterState) -> None:
        self.state = state
        self._sockets = bind_sockets(0, "127.0.0.1")
        self.port: int = self._sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: HTTPServer | None = None

    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            app = web.Application(
                [
                    (r"/version/?", _VersionHandler),
                    (r"/api/v1/(.*)", _CoreHandler, {"state": self.state}),
                    (r"/apis/([^/]+)/([^/]+)/(.*)", _Handler, {"state": self.state}),
                ],
                log_function=lambda _handler: None,  # quiet: tests assert on state.requests
            )
            self._server = HTTPServer(app)
            self._server.add_sockets(self._sockets)
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name="kube-emulator", daemon=True)
        self._thread.start()
        ready.wait(10)

    def stop(self) -> None:
        loop = self._loop
        if loop is None or self._thread is None:
            return

        def shutdown() -> None:
            if self._server is not None:
                self._server.stop()
            for task in asyncio.all_tasks(loop):
                task.cancel()
            loop.call_later(0.05, loop.stop)

        loop.call_soon_threadsafe(shutdown)
        self._thread.join(10)
        for sock in self._sockets:
            sock.close()
