"""The proxy to notebook servers: ``{base_url}mlops/servers/{owner}/{name}/...``, HTTP and
WebSocket, for the server's owner (and admins, with ``admin_access``) only.

Everything is decided in ``prepare()``, before tornado reads a byte of the body: which
host may serve the request (``subdomain_host``), who asks (jupyter_server's identity, or on
an owner's subdomain our own cookie, see ``proxy_login``), whether they may (anyone else
gets the same 404 as for a missing server), and where it goes. Only then is the body read,
and it is streamed on to the notebook server chunk by chunk, never held whole.

The request goes on with the notebook server's own token. Neither our cookies nor the
caller's credentials (headers, a ``token`` in the query) are passed on: code running in a
notebook server must never see a viewer's login. The notebook server's cookies are not
passed back. Every response carries our Content-Security-Policy (``proxy_policy``): a
sandbox without ``allow-same-origin`` on our own origin, so that a user's page cannot act
as whoever views it.
"""

from __future__ import annotations

import asyncio
import functools
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any, cast

from jupyter_core.utils import ensure_async
from jupyter_server.auth import User
from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.utils import HTTP_METHOD_TO_AUTH_ACTION
from jupyter_server.base.handlers import JupyterHandler
from tornado import httpclient, httputil, iostream, web, websocket
from tornado.httputil import HTTPHeaders

from ..errors import MLOpsError, NotFound
from ..notebooks.backends.base import Upstream
from .handlers.base import (
    SETTING_DEFAULT_USER,
    SETTING_EXECUTOR,
    SETTING_NOTEBOOK_SERVICE,
    SETTING_SHARED_IDENTITY,
)
from .proxy_login import accepts_host, login_handlers, login_redirect, proxy_policy
from .proxy_login import viewer_from_cookie as _viewer_from_cookie
from .proxy_policy import HostRole, ProxyPolicy, without_frame_ancestors
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
    "expect",  # our server answered it already (tornado's 100 Continue)
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
    # Ours decide: the sandbox and sniffing policy, and who may read or cache across
    # origins; a page must not widen a service worker's scope past its own path either.
    "x-content-type-options",
    "strict-transport-security",
    "service-worker-allowed",
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-headers",
    "access-control-allow-methods",
    "access-control-expose-headers",
    "access-control-max-age",
}
#: Query parameters that authenticated the caller with us: never passed on.
_CREDENTIAL_PARAMETERS = frozenset({"token", "_xsrf"})
#: Chunks of a request body in flight between the client and the notebook server: the
#: client waits (TCP back-pressure) while the notebook server is slower.
_BODY_QUEUE_CHUNKS = 8
_BODY_METHODS = ("POST", "PUT", "PATCH")

BodyItem = bytes | BaseException | None


def forwarded_query(query: str) -> str:
    """``query`` without our credentials (``token``, ``_xsrf``), the rest byte for byte."""
    kept = [
        part
        for part in query.split("&")
        if part and urllib.parse.unquote_plus(part.partition("=")[0]) not in _CREDENTIAL_PARAMETERS
    ]
    return "&".join(kept)


def upstream_url(upstream: Upstream, path: str | None, query: str, websocket_scheme: bool) -> str:
    url = upstream.url + (path or "/").lstrip("/")
    query = forwarded_query(query)
    if query:
        url += "?" + query
    if websocket_scheme:
        url = "ws" + url[len("http") :]
    return url


def _retrieve(task: asyncio.Future[None]) -> None:
    # A forwarding task whose client went away is awaited by nobody: its error, if any,
    # is that going away.
    if not task.cancelled():
        task.exception()


@web.stream_request_body
class NotebookProxyHandler(websocket.WebSocketHandler, JupyterHandler):
    """One handler for both: requests with ``Upgrade: websocket`` become a WebSocket
    bridge, everything else is forwarded as HTTP."""

    auth_resource = "mlops"
    _upstream: Upstream | None = None
    _upstream_ws: websocket.WebSocketClientConnection | None = None
    _pump: asyncio.Task[None] | None = None
    _body: asyncio.Queue[BodyItem] | None = None
    _forwarding: asyncio.Future[None] | None = None
    _upstream_done = False
    _client_gone = False

    # -- where a request may be served, and with which headers ------------------------------
    def check_host(self) -> bool:
        return accepts_host(self)

    #: Whether the caller owns the server asked for (known once prepare() resolved it).
    _viewer_is_owner = False

    @property
    def content_security_policy(self) -> str:
        return proxy_policy(self).content_security_policy(self._viewer_is_owner)

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("X-Content-Type-Options", "nosniff")

    def _is_websocket(self) -> bool:
        return (
            self.request.method == "GET"
            and self.request.headers.get("Upgrade", "").lower() == "websocket"
        )

    def _on_owner_host(self, policy: ProxyPolicy, owner: str, name: str) -> bool:
        """With subdomains: True on the owner's own host; on the main host the browser is
        sent there, anywhere else the answer is the 404 of a missing server."""
        role = policy.role(self.request.host, owner)
        if role is HostRole.OWNER:
            return True
        if role is HostRole.MAIN:
            # 307 keeps the method and body (which is not read here).
            status = 302 if self.request.method in ("GET", "HEAD") else 307
            self.redirect(policy.owner_origin(owner) + self.request.uri, status=status)
        else:
            self._fail(NotFound(f"no notebook server {owner}/{name}"))
        return False

    # -- who, and where to ------------------------------------------------------------------
    async def prepare(self) -> None:  # type: ignore[override]
        """Host, identity, permission and upstream, all before the body is read (tornado
        starts reading it once this returns, and never when it has answered)."""
        self.current_user = None  # until known (jupyter_server's getter would raise)
        owner, name = self.path_kwargs["owner"], self.path_kwargs["name"]
        policy = proxy_policy(self)
        if policy.subdomains and not self._on_owner_host(policy, owner, name):
            return
        # jupyter_server's: the Host check, its identity (token, login cookie) and, for
        # requests that change things, the XSRF check of cookie-authenticated callers.
        await super().prepare()
        if self.current_user is None and policy.subdomains:
            viewer = _viewer_from_cookie(self)
            if viewer is not None:
                self.current_user = self._jupyter_current_user = User(username=viewer)
        if self.current_user is None:
            self._refuse_anonymous(policy)
            return
        action = HTTP_METHOD_TO_AUTH_ACTION[self.request.method or "GET"]
        allowed = await ensure_async(
            self.authorizer.is_authorized(self, self.current_user, action, self.auth_resource)
        )
        if not allowed:
            raise web.HTTPError(403, f"not authorized to {action} {self.auth_resource}")
        if self.path_kwargs.get("path") is None:
            # ".../{name}" without the slash: the server's pages resolve relative links
            # against the folder, so send the browser to it.
            query = f"?{self.request.query}" if self.request.query else ""
            self.redirect(self.request.path + "/" + query)
            return
        try:
            self._upstream = await self._resolve(owner, name, policy)
        except MLOpsError as error:
            self._fail(error)
            return
        self._viewer_is_owner = self._caller() == owner
        if self._is_websocket():
            return
        if policy.subdomains and self.request.method == "GET":
            # JupyterLab sends the _xsrf cookie back as X-XSRFToken; on an owner's host
            # no page of ours set one (tornado sets it, host-only, when it is missing).
            _ = self.xsrf_token
        self._start_forward()

    def _refuse_anonymous(self, policy: ProxyPolicy) -> None:
        """As ``@web.authenticated``: pages send the browser to sign in, the rest get 403
        (on an owner's subdomain, sign-in goes through the main host, see proxy_login)."""
        if self.request.method not in ("GET", "HEAD"):
            raise web.HTTPError(403)
        if policy.subdomains:
            self.redirect(login_redirect(self))
            return
        url = self.get_login_url()
        self.redirect(url + "?" + urllib.parse.urlencode({"next": self.request.uri}))

    def _caller(self) -> str:
        if self.settings[SETTING_SHARED_IDENTITY]:
            name: str = self.settings[SETTING_DEFAULT_USER]
            return name
        assert self.current_user is not None
        return str(self.current_user.username)

    async def _resolve(self, owner: str, name: str, policy: ProxyPolicy) -> Upstream:
        service = self.settings[SETTING_NOTEBOOK_SERVICE]
        loop = asyncio.get_running_loop()
        call = functools.partial(
            service.upstream, self._caller(), owner, name, admin_access=policy.admins_open_others
        )
        _server, upstream = await loop.run_in_executor(self.settings[SETTING_EXECUTOR], call)
        assert isinstance(upstream, Upstream)
        return upstream

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

    # -- the request body: streamed on as it arrives -----------------------------------------
    def _has_body(self) -> bool:
        headers = self.request.headers
        if "chunked" in headers.get("Transfer-Encoding", "").lower():
            return True
        try:
            return int(headers.get("Content-Length") or 0) > 0
        except ValueError:
            return False

    def _start_forward(self) -> None:
        producer = None
        if self._has_body():
            self._body = asyncio.Queue(maxsize=_BODY_QUEUE_CHUNKS)
            producer = self._produce_body
        self._forwarding = asyncio.ensure_future(self._forward(producer))
        self._forwarding.add_done_callback(_retrieve)

    async def _produce_body(self, write: Callable[[bytes], Awaitable[None]]) -> None:
        """tornado's ``body_producer``: the client's chunks, in order, until the end."""
        assert self._body is not None
        while True:
            item = await self._body.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            await write(item)

    async def data_received(self, chunk: bytes) -> None:
        # Awaited by tornado before it reads on: a full queue holds the client back.
        if self._body is not None and not self._upstream_done:
            await self._body.put(chunk)

    def _drain_body(self) -> None:
        """Unblock a client whose chunks nobody will take any more."""
        if self._body is not None:
            while not self._body.empty():
                self._body.get_nowait()

    def on_connection_close(self) -> None:
        self._client_gone = True
        if self._body is not None and not self._upstream_done:
            self._drain_body()
            self._body.put_nowait(iostream.StreamClosedError())
        super().on_connection_close()

    async def _respond(self) -> None:
        """The verb: the body has been read by now; wait for the notebook server's answer."""
        if self._body is not None and not self._upstream_done:
            await self._body.put(None)
        if self._forwarding is not None:
            await self._forwarding

    # -- HTTP -------------------------------------------------------------------------------
    async def _forward(self, producer: Callable[..., Awaitable[None]] | None) -> None:
        upstream = self._upstream
        assert upstream is not None
        method = self.request.method or "GET"
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
            if self._client_gone:
                return
            if not sent:
                self._send_head(upstream, head)
                sent = True
            self.write(chunk)
            self.flush()

        headers = self._upstream_headers(upstream)
        body = None
        if producer is not None and "Content-Length" in self.request.headers:
            headers["Content-Length"] = self.request.headers["Content-Length"]
        elif producer is None and method in _BODY_METHODS:
            body = b""
        request = httpclient.HTTPRequest(
            upstream_url(upstream, self.path_kwargs.get("path"), self.request.query, False),
            method=method,
            headers=headers,
            body=body,
            body_producer=cast(Any, producer),  # a coroutine function: tornado awaits it
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
        finally:
            self._upstream_done = True
            self._drain_body()
        if self._client_gone:
            return
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
        """The upstream's status and headers, minus hop-by-hop ones and cookies, plus ours."""
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
            elif lower == "content-security-policy":
                value = without_frame_ancestors(value)  # ours says who may frame it
                if not value:
                    continue
            if lower == "content-type":
                self.set_header(key, value)
            else:
                self.add_header(key, value)
        self.add_header("Content-Security-Policy", self.content_security_policy)
        self.set_header("X-Content-Type-Options", "nosniff")

    def _local_location(self, upstream: Upstream, location: str) -> str:
        """A redirect to the upstream's own address, as the path through us."""
        parts = urllib.parse.urlsplit(location)
        base = urllib.parse.urlsplit(upstream.url)
        if parts.netloc and parts.netloc == base.netloc:
            return urllib.parse.urlunsplit(("", "", parts.path, parts.query, parts.fragment))
        return location

    # Authenticated and authorized in prepare(), before any body is read; jupyter_server's
    # own check (the marker below turns it off) would refuse a subdomain's cookie.
    @allow_unauthenticated
    async def get(self, owner: str, name: str, path: str | None = None) -> None:
        if self._is_websocket():
            await self._open_websocket(owner, name, path)
            return
        await self._respond()

    @allow_unauthenticated
    async def post(self, owner: str, name: str, path: str | None = None) -> None:
        await self._respond()

    @allow_unauthenticated
    async def put(self, owner: str, name: str, path: str | None = None) -> None:
        await self._respond()

    @allow_unauthenticated
    async def patch(self, owner: str, name: str, path: str | None = None) -> None:
        await self._respond()

    @allow_unauthenticated
    async def delete(self, owner: str, name: str, path: str | None = None) -> None:
        await self._respond()

    @allow_unauthenticated
    async def head(self, owner: str, name: str, path: str | None = None) -> None:
        await self._respond()

    @allow_unauthenticated
    async def options(self, owner: str, name: str, path: str | None = None) -> None:
        await self._respond()

    # -- WebSocket --------------------------------------------------------------------------
    async def _open_websocket(self, owner: str, name: str, path: str | None) -> None:
        upstream = self._upstream
        assert upstream is not None
        requested = [
            p.strip()
            for p in self.request.headers.get("Sec-WebSocket-Protocol", "").split(",")
            if p.strip()
        ]
        request = httpclient.HTTPRequest(
            upstream_url(upstream, path, self.request.query, True),
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
    """The proxy's routes (and the subdomain sign-in's), relative to ``{base_url}``
    (ExtensionApp joins it on)."""
    return [(PROXY_PATTERN, NotebookProxyHandler), *login_handlers()]
