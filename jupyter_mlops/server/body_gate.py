"""Authentication before any request body is read, for every handler of the server.

Our own handlers stream their bodies and authenticate in ``prepare`` (see
``handlers.base``), but tornado hands a handler that does not stream (jupyter_server's
contents, kernels and sessions; other extensions') its request only once the whole body
is in memory, up to ``ServerApp.max_body_size`` (512 MiB): a stranger could make the
server hold that much per connection before being told 403.

So the server's routing is wrapped: for a request with a body, bound for a handler that
does not stream and whose method jupyter_server would refuse to an anonymous caller, the
caller is identified from the headers first (jupyter_server's identity provider, as
``JupyterHandler.prepare`` does it) and refused at once when unknown; the connection then
closes without the body being read. Everyone else's request goes on untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

from jupyter_server.utils import ensure_async
from tornado import httputil, web

log = logging.getLogger(__name__)


#: The code of every wrapper ``tornado.web.authenticated`` makes.
_AUTHENTICATED_WRAPPER = web.authenticated(lambda handler: None).__code__


def install_body_gate(web_app: web.Application) -> None:
    """Route ``web_app``'s requests through :class:`AuthenticateBeforeBody`."""
    find_handler = web_app.find_handler

    def gated(request: httputil.HTTPServerRequest, **kwargs: Any) -> httputil.HTTPMessageDelegate:
        delegate = find_handler(request, **kwargs)
        if getattr(delegate, "stream_request_body", True):
            return delegate  # streams (ours), or not a handler's delegate at all
        return AuthenticateBeforeBody(delegate)

    web_app.find_handler = gated  # type: ignore[method-assign,assignment]


def _has_body(headers: httputil.HTTPHeaders) -> bool:
    length = headers.get("Content-Length", "0").strip()
    return "Transfer-Encoding" in headers or (length != "0" and length != "")


def _needs_user(handler: web.RequestHandler, method: str) -> bool:
    """Whether jupyter_server would refuse this method to an anonymous caller."""
    function = getattr(handler, method.lower(), None)
    if getattr(function, "__allow_unauthenticated", False):
        return False
    if not handler.settings.get("allow_unauthenticated_access", False):
        return True
    # Anonymous access allowed server-wide: only @web.authenticated methods refuse it.
    # functools.wraps copies names, so the decorator is known by its wrapper's code.
    while function is not None:
        if getattr(function, "__code__", None) is _AUTHENTICATED_WRAPPER:
            return True
        function = getattr(function, "__wrapped__", None)
    return False


class AuthenticateBeforeBody(httputil.HTTPMessageDelegate):
    """Wraps tornado's delegate of one request to a non-streaming handler."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.refused = False

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Awaitable[None] | None:
        if not _has_body(headers):
            return self.inner.headers_received(start_line, headers)
        return self._identify_then(start_line, headers)

    async def _identify_then(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> None:
        inner = self.inner
        # A handler of the request's own class, only to ask who the caller is (the one
        # that answers is made later, by tornado, as usual).
        handler = inner.handler_class(inner.application, inner.request, **inner.handler_kwargs)
        method = inner.request.method or ""
        identity = getattr(handler, "identity_provider", None)
        if identity is not None and _needs_user(handler, method):
            user = await ensure_async(identity.get_user(handler))
            if user is None:
                self._refuse(handler, 403, "not authenticated")
                return
        result = inner.headers_received(start_line, headers)
        if result is not None:
            await result

    def _refuse(self, handler: web.RequestHandler, status: int, why: str) -> None:
        self.refused = True
        request = self.inner.request
        log.warning("%s %s refused before its body was read: %s", request.method, request.path, why)
        # Finishing before the body is read makes tornado close the connection once the
        # answer is sent, instead of reading the rest. (No output transforms: tornado sets
        # them when it runs a handler, which this one never is.)
        handler._transforms = []
        handler.send_error(status)

    def data_received(self, chunk: bytes) -> Awaitable[None] | None:
        if self.refused:
            return None
        result: Awaitable[None] | None = self.inner.data_received(chunk)
        return result

    def finish(self) -> None:
        if not self.refused:
            self.inner.finish()

    def on_connection_close(self) -> None:
        if not self.refused:
            self.inner.on_connection_close()
