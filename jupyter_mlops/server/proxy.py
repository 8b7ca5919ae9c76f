"""The proxy to notebook servers: ``{base_url}mlops/servers/{owner}/{name}/...``, HTTP and
WebSocket, for the server's owner and admins only.

Our server authenticates the caller (cookie or token, as for every other page), the
notebook service decides whether the caller may reach that server (anyone else gets the
same 404 as for a missing server), and the request goes on with the notebook server's own
token. Neither our cookies nor the caller's credentials are passed on (code running in a
notebook server must never see an admin's login), and the notebook server's cookies are
not passed back: its pages then use our ``_xsrf`` cookie, which we check here, and the
upstream skips its own XSRF check for token-authenticated requests.
"""

from __future__ import annotations

import asyncio
import functools
import urllib.parse
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import JupyterHandler
from tornado import httpclient, httputil, web, websocket
from tornado.httputil import HTTPHeaders

from ..errors import MLOpsError
from ..notebooks.backends.base import Upstream
from .handlers.base import (
    SETTING_DEFAULT_USER,
    SETTING_EXECUTOR,
    SETTING_NOTEBOOK_SERVICE,
    SETTING_SHARED_IDENTITY,
)
from .serialization import dumps

PROXY_PREFIX = "mlops/servers"
PROXY_PATTERN = rf"{PROXY_PREFIX}/(?P<owner>[^/]+)/(?P<name>[^/]+)(?P<path>/.*)?$"

# Hop-by-hop headers (RFC 9110 7.6.1) and what must not cross the proxy.
_REQUEST_DROP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "cookie",
    "authorization",
    "content-length",
    "origin",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
    "sec-websocket-protocol",
    "x-xsrftoken",
}
_RESPONSE_DROP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "set-cookie",
    "server",
    "date",
}


class NotebookProxyHandler(websocket.WebSocketHandler, JupyterHandler):
    """One handler for both: requests with ``Upgrade: websocket`` become a WebSocket
    bridge, everything else is forwarded as HTTP."""

    auth_resource = "mlops"
    _upstream_ws: websocket.WebSocketClientConnection | None = None
    _pump: asyncio.Task[None] | None = None

    # -- who, and where to --------------------------------------------------------------------
    def _caller(self) -> str:
        if self.settings[SETTING_SHARED_IDENTITY]:
            name: str = self.settings[SETTING_DEFAULT_USER]
            return name
        if self.current_user is None:
            raise web.HTTPError(403)
        return str(self.current_user.username)

    async def _resolve(self, owner: str, name: str) -> Upstream:
        if self.current_user is None:
            raise web.HTTPError(403, "authentication required")
        service = self.settings[SETTING_NOTEBOOK_SERVICE]
        loop = asyncio.get_running_loop()
        call = functools.partial(service.upstream, self._caller(), owner, name)
        _server, upstream = await loop.run_in_executor(self.settings[SETTING_EXECUTOR], call)
        return upstream

    def _target(self, upstream: Upstream, path: str | None, websocket_scheme: bool = False) -> str:
        rest = (path or "/").lstrip("/")
        url = upstream.url + rest
        if self.request.query:
            url += "?" + self.request.query
        if websocket_scheme:
            url = "ws" + url[len("http") :]
        return url

    def _upstream_headers(self, upstream: Upstream) -> HTTPHeaders:
        headers = HTTPHeaders()
        for key, value in self.request.headers.get_all():
            if key.lower() not in _REQUEST_DROP:
                headers.add(key, value)
        if upstream.token:
            headers["Authorization"] = f"token {upstream.token}"
        headers["X-Forwarded-Host"] = self.request.host
        headers["X-Forwarded-Proto"] = self.request.protocol
        return headers

    def _fail(self, error: MLOpsError) -> None:
        self.set_status(error.http_status)
        self.set_header("Content-Type", "application/json")
        self.finish(dumps({"error": error.to_dict()}))

    # -- HTTP -------------------------------------------------------------------------------
    async def _forward(self, owner: str, name: str, path: str | None = None) -> None:
        if path is None:
            # ".../{name}" without the slash: the server's pages resolve relative links
            # against the folder, so send the browser to it.
            self.redirect(
                self.request.path + "/" + (f"?{self.request.query}" if self.request.query else "")
            )
            return
        try:
            upstream = await self._resolve(owner, name)
        except MLOpsError as error:
            self._fail(error)
            return
        method = self.request.method or "GET"
        body = self.request.body if method in ("POST", "PUT", "PATCH", "DELETE") else None
        # The answer is streamed back as it arrives (downloads, long answers): the head
        # goes out with the first chunk of the body, or at the end when there is none.
        head: dict[str, Any] = {"code": 502, "reason": "", "headers": HTTPHeaders()}
        sent = False

        def on_header(line: str) -> None:
            if line.startswith("HTTP/"):
                start = httputil.parse_response_start_line(line.strip())
                head.update(code=start.code, reason=start.reason, headers=HTTPHeaders())
            elif line.strip():
                head["headers"].parse_line(line)

        def on_chunk(chunk: bytes) -> None:
            nonlocal sent
            if not sent:
                self._send_head(upstream, head)
                sent = True
            self.write(chunk)
            self.flush()

        request = httpclient.HTTPRequest(
            self._target(upstream, path),
            method=method,
            headers=self._upstream_headers(upstream),
            body=body if method != "DELETE" or body else None,
            follow_redirects=False,
            decompress_response=False,
            allow_nonstandard_methods=True,
            request_timeout=300,
            header_callback=on_header,
            streaming_callback=on_chunk,
        )
        try:
            response = await httpclient.AsyncHTTPClient().fetch(request, raise_error=False)
            failure = str(response.error) if response.code == 599 else ""
        except (OSError, httpclient.HTTPClientError) as exc:
            failure = str(exc)
        if sent:
            self.finish()  # the body went out; a late failure just ends it
            return
        if failure:  # tornado's 599: no answer (connection refused, timeout)
            self.set_status(502)
            self.set_header("Content-Type", "application/json")
            message = f"the notebook server does not answer: {failure}"
            self.finish(dumps({"error": {"code": "BAD_GATEWAY", "message": message}}))
            return
        self._send_head(upstream, head)
        self.finish()

    def _send_head(self, upstream: Upstream, head: dict[str, Any]) -> None:
        """The upstream's status and headers, minus hop-by-hop ones and cookies."""
        self.set_status(head["code"], head["reason"] or None)
        for header in list(self._headers.keys()):
            if header.lower() != "content-type":
                self.clear_header(header)
        for key, value in head["headers"].get_all():
            lower = key.lower()
            if lower in _RESPONSE_DROP:
                continue
            if lower == "location":
                value = self._local_location(upstream, value)
            if lower == "content-type":
                self.set_header(key, value)
            else:
                self.add_header(key, value)

    def _local_location(self, upstream: Upstream, location: str) -> str:
        """A redirect to the upstream's own address, as the path through us."""
        parts = urllib.parse.urlsplit(location)
        base = urllib.parse.urlsplit(upstream.url)
        if parts.netloc and parts.netloc == base.netloc:
            return urllib.parse.urlunsplit(("", "", parts.path, parts.query, parts.fragment))
        return location

    @web.authenticated
    @authorized
    async def get(self, owner: str, name: str, path: str | None = None) -> None:  # type: ignore[override]
        if self.request.headers.get("Upgrade", "").lower() == "websocket":
            await self._open_websocket(owner, name, path)
            return
        await self._forward(owner, name, path)

    @web.authenticated
    @authorized
    async def post(self, owner: str, name: str, path: str | None = None) -> None:
        await self._forward(owner, name, path)

    @web.authenticated
    @authorized
    async def put(self, owner: str, name: str, path: str | None = None) -> None:
        await self._forward(owner, name, path)

    @web.authenticated
    @authorized
    async def patch(self, owner: str, name: str, path: str | None = None) -> None:
        await self._forward(owner, name, path)

    @web.authenticated
    @authorized
    async def delete(self, owner: str, name: str, path: str | None = None) -> None:
        await self._forward(owner, name, path)

    @web.authenticated
    @authorized
    async def head(self, owner: str, name: str, path: str | None = None) -> None:
        await self._forward(owner, name, path)

    @web.authenticated
    @authorized
    async def options(self, owner: str, name: str, path: str | None = None) -> None:
        await self._forward(owner, name, path)

    # -- WebSocket --------------------------------------------------------------------------
    async def _open_websocket(self, owner: str, name: str, path: str | None) -> None:
        try:
            upstream = await self._resolve(owner, name)
        except MLOpsError as error:
            self._fail(error)
            return
        requested = [
            p.strip()
            for p in self.request.headers.get("Sec-WebSocket-Protocol", "").split(",")
            if p.strip()
        ]
        request = httpclient.HTTPRequest(
            self._target(upstream, path, websocket_scheme=True),
            headers=self._upstream_headers(upstream),
            request_timeout=30,
        )
        try:
            # Connected before we accept, so that the client gets the subprotocol the
            # notebook server chose (the kernel protocol version depends on it).
            self._upstream_ws = await websocket.websocket_connect(
                request, subprotocols=requested or None, max_message_size=1024**3
            )
        except (OSError, httpclient.HTTPClientError, websocket.WebSocketError) as exc:
            self.set_status(502)
            self.finish(dumps({"error": {"code": "BAD_GATEWAY", "message": str(exc)}}))
            return
        await websocket.WebSocketHandler.get(self, owner, name, path)

    def select_subprotocol(self, subprotocols: list[str]) -> str | None:
        upstream = self._upstream_ws
        return upstream.selected_subprotocol if upstream is not None else None

    def open(self, *args: Any, **kwargs: Any) -> None:
        self._pump = asyncio.ensure_future(self._pump_upstream())

    async def _pump_upstream(self) -> None:
        upstream = self._upstream_ws
        assert upstream is not None
        while True:
            message = await upstream.read_message()
            if message is None:  # upstream closed
                self.close(upstream.close_code, upstream.close_reason)
                return
            try:
                await self.write_message(message, binary=isinstance(message, bytes))
            except websocket.WebSocketClosedError:
                upstream.close()
                return

    async def on_message(self, message: str | bytes) -> None:
        upstream = self._upstream_ws
        if upstream is None:
            return
        try:
            await upstream.write_message(message, binary=isinstance(message, bytes))
        except websocket.WebSocketClosedError:
            self.close()

    def on_close(self) -> None:
        if self._upstream_ws is not None:
            self._upstream_ws.close()
        if self._pump is not None and not self._pump.done():
            self._pump.cancel()

    def check_origin(self, origin_to_satisfy_tornado: str = "") -> bool:
        # The same rule as jupyter_server's own WebSockets (allow_origin settings).
        return JupyterHandler.check_origin(self, origin_to_satisfy_tornado)


def proxy_handlers() -> list[tuple[str, type[web.RequestHandler]]]:
    """The proxy route, relative to ``{base_url}`` (ExtensionApp joins it on)."""
    return [(PROXY_PATTERN, NotebookProxyHandler)]
