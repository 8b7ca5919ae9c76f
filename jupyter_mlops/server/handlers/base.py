"""The base of every REST handler: JSON in and out, errors, the caller, the thread pool.

Handlers built on it stay thin: read the request with ``json_body``/``query_*``, call one
service method with ``await self.run(...)``, answer with ``write_json``. Everything that
goes wrong becomes ``{"error": {"code", "message", "field"?}}`` with the right status:
MLOpsError subclasses map to their own status, tornado's HTTPError (401/403/404/405) keeps
its status, a full or read-only disk is 507 naming the cause, and anything else is logged
with its traceback and answered with a generic 500.

Bodies are streamed (``web.stream_request_body``, which subclasses inherit): tornado calls
``prepare`` as soon as the headers are in, so the caller is authenticated, and the declared
size checked, before a byte of the body is read. A refused request is answered and its
connection closed without reading the rest. A JSON body is then kept in memory up to
``max_json_body_bytes`` (``request.body`` holds it, as without streaming); an upload's
chunks go to ``receive_upload`` up to ``max_upload_bytes``. Past either limit the answer is
413 at once, whether Content-Length said so or the stream got there.
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from http.client import responses
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from jupyter_server.auth.identity import User
from jupyter_server.base.call_context import CallContext
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import ensure_async
from tornado import web
from tornado.http1connection import HTTP1Connection

from ...errors import InvalidParameter, MLOpsError, PayloadTooLarge, storage_error
from ..serialization import dumps, parse_json_body

if TYPE_CHECKING:
    from ...auth.entities import ApiToken
    from ...auth.service import TokenService
    from ...notebooks.service import NotebookService
    from ...pipelines.server.service import PipelineService
    from ...processes import ProcessPolicy
    from ...registry.service import RegistryService
    from ...tracking.service import TrackingService

T = TypeVar("T")

# Keys of the objects MlopsExtension puts in the tornado settings.
SETTING_SERVICE = "mlops_tracking_service"
SETTING_EXECUTOR = "mlops_executor"
SETTING_DEFAULT_USER = "mlops_default_user"
SETTING_SHARED_IDENTITY = "mlops_shared_identity"
SETTING_MAX_UPLOAD_BYTES = "mlops_max_upload_bytes"
SETTING_OPENAPI_PATH = "mlops_openapi_path"
SETTING_NOTEBOOK_SERVICE = "mlops_notebook_service"
SETTING_PIPELINE_SERVICE = "mlops_pipeline_service"
SETTING_REGISTRY_SERVICE = "mlops_registry_service"
SETTING_TOKEN_SERVICE = "mlops_token_service"
SETTING_MAX_JSON_BYTES = "mlops_max_json_bytes"
SETTING_USER_MODE = "mlops_user_mode"
SETTING_PROCESS_POLICY = "mlops_process_policy"
SETTING_PROXY_POLICY = "mlops_proxy_policy"
SETTING_SCORING_POOL = "mlops_scoring_pool"

#: The resource name given to jupyter_server's Authorizer for every tracking endpoint.
AUTH_RESOURCE = "mlops"

_CODES_BY_STATUS = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "ENDPOINT_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "REQUEST_TOO_LARGE",
}

#: max_json_body_bytes when the settings lack it (handlers mounted outside the extension).
DEFAULT_MAX_JSON_BYTES = 16 * 1024**2

# Tornado's own limit on a request is set a little above ours: a body that passes ours
# gets our 413 from data_received, and tornado's (a bare 400 and a closed connection) only
# stops a chunk whose declared size alone jumps far past it.
_TORNADO_LIMIT_MARGIN = 1024**2


class _Setting(Generic[T]):
    """A handler attribute read from the tornado settings (set once by the extension)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __get__(self, handler: web.RequestHandler, owner: type | None = None) -> T:
        value: T = handler.settings[self.key]
        return value


@web.stream_request_body
class MlopsAPIHandler(APIHandler):
    """Base handler of the native REST API (``{base_url}mlops/api/...``)."""

    auth_resource = AUTH_RESOURCE

    #: The HTTP methods whose body is an upload (up to ``max_upload_bytes``, handed chunk
    #: by chunk to ``receive_upload``) rather than a JSON document kept in memory.
    upload_methods: frozenset[str] = frozenset()

    _body_limit = 0
    _body_limit_trait = ""
    _body_received = 0
    _body_chunks: list[bytes] | None = None

    #: The owner-scoped API token (``jupyter_mlops.auth``) this request authenticated with;
    #: None for jupyter_server's own token, cookie or identity provider.
    scoped_token: ApiToken | None = None

    # -- authentication --------------------------------------------------------------------
    async def prepare(self) -> None:  # type: ignore[override]
        """Authenticate (403 without a user), then get ready for the body, which tornado
        only starts to read once this returns: 413 at once if its declared size is over
        the limit (see the module's docstring)."""
        await self._authenticate()
        if self._finished:
            return
        method = getattr(self, (self.request.method or "").lower(), None)
        # jupyter_server refuses here only with allow_unauthenticated_access=False; else
        # @web.authenticated would, on a streamed body, refuse only once it has been read.
        if self.current_user is None and not getattr(method, "__allow_unauthenticated", False):
            raise web.HTTPError(403)
        self._prepare_body()

    async def _authenticate(self) -> None:
        """Recognise our owner-scoped API tokens first, then jupyter_server's identity.

        A request with ``Authorization: token mlops_...`` (or ``Bearer``) acts as the
        token's owner. Only handlers built on this class accept such tokens: jupyter_server's
        own endpoints (kernels, contents) and the notebook-server proxy never see them, so
        they keep refusing them.
        """
        secret = _authorization_token(self.request.headers.get("Authorization", ""))
        tokens: TokenService | None = self.settings.get(SETTING_TOKEN_SERVICE)
        rejected = False
        if secret is not None and tokens is not None:
            token = await self.run(tokens.authenticate, secret)
            if token is not None:
                self._prepare_scoped(token)
                return
            rejected = True
        try:
            await super().prepare()
        except web.HTTPError as error:
            # 403 like any unauthenticated API request here, but saying why.
            if rejected and error.status_code == 403 and self.current_user is None:
                raise web.HTTPError(403, "The API token is unknown, revoked or expired") from None
            raise

    def _prepare_scoped(self, token: ApiToken) -> None:
        # What JupyterHandler.prepare does once its identity provider has named the user,
        # for a user our token names. Tokens travel in a header, which a browser never sends
        # cross-site on its own: like jupyter_server's token requests, no XSRF check
        # (token_authenticated below) and no origin check (skip_check_origin).
        CallContext.set(CallContext.JUPYTER_HANDLER, self)
        if not self.check_host():
            raise web.HTTPError(403)
        self.scoped_token = token
        user = User(username=token.owner, name=token.owner, display_name=token.owner)
        self.current_user = self._jupyter_current_user = user
        self.set_cors_headers()

    def set_signed_cookie(self, name: str, value: str | bytes, *args: Any, **kwargs: Any) -> None:
        """No login cookie for a client that authenticates in the ``Authorization`` header.

        Such a client (MLflow's, ours, a script) sends its token with every call anyway;
        jupyter_server would hand it a login cookie that it stores, sends back and has
        verified (an HMAC, twice) on every later call, for nothing. Browsers, which log in
        with the cookie, never send the header.
        """
        if "Authorization" in self.request.headers:
            return
        super().set_signed_cookie(name, value, *args, **kwargs)

    set_secure_cookie = set_signed_cookie  # the name jupyter_server calls

    @property
    def token_authenticated(self) -> bool:
        return self.scoped_token is not None or super().token_authenticated

    def skip_check_origin(self) -> bool:
        return self.scoped_token is not None or super().skip_check_origin()

    # -- wiring: what MlopsExtension put in the settings ------------------------------------
    service: _Setting[TrackingService] = _Setting(SETTING_SERVICE)
    notebooks: _Setting[NotebookService] = _Setting(SETTING_NOTEBOOK_SERVICE)
    pipelines: _Setting[PipelineService] = _Setting(SETTING_PIPELINE_SERVICE)
    tokens: _Setting[TokenService] = _Setting(SETTING_TOKEN_SERVICE)
    process_policy: _Setting[ProcessPolicy] = _Setting(SETTING_PROCESS_POLICY)
    registry: _Setting[RegistryService] = _Setting(SETTING_REGISTRY_SERVICE)

    @property
    def caller(self) -> str:
        """Who is calling, as the service knows users.

        jupyter_server's own token login has no user names (it invents an "anonymous"
        name per browser), so its callers are all the server's user, ``default_user``.
        A real identity provider (JupyterHub, a custom class) names the user, and an API
        token (``jupyter_mlops.auth``) acts as its owner.
        """
        if self.scoped_token is not None:
            return self.scoped_token.owner
        if self.settings[SETTING_SHARED_IDENTITY]:
            name: str = self.settings[SETTING_DEFAULT_USER]
            return name
        user = self.current_user
        if user is None:  # @web.authenticated runs first; this is a bug guard
            raise web.HTTPError(403)
        return str(user.username)

    async def accept_upload(self) -> bool:
        """For an upload, before tornado reads the body: the caller may write (403
        otherwise); its size was checked by ``prepare``. False when there is no upload to
        prepare (another method, or the request already answered)."""
        if self.request.method not in self.upload_methods or self._finished:
            return False
        user = self.current_user
        if not user or not await ensure_async(
            self.authorizer.is_authorized(self, user, "write", AUTH_RESOURCE)
        ):
            raise web.HTTPError(403)
        return True

    # -- bodies ----------------------------------------------------------------------------
    def _prepare_body(self) -> None:
        upload = self.request.method in self.upload_methods
        if upload:
            limit: int = self.settings[SETTING_MAX_UPLOAD_BYTES]
            trait = "max_upload_bytes"
        else:
            limit = self.settings.get(SETTING_MAX_JSON_BYTES, DEFAULT_MAX_JSON_BYTES)
            trait = "max_json_body_bytes"
            self._body_chunks = []
        self._body_limit, self._body_limit_trait = limit, trait
        declared = self.request.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(
                f"The request body is {declared} bytes; this server accepts at most {limit} "
                f"(MlopsExtension.{trait})",
                field="body",
            )
        connection = self.request.connection
        if isinstance(connection, HTTP1Connection):  # jupyter_server's HTTP server
            connection.set_max_body_size(limit + _TORNADO_LIMIT_MARGIN)
        if self._body_chunks is not None:
            # Streaming leaves request.body empty; the whole body is put there once it is
            # in. This callback is added before tornado awaits the same future to call the
            # HTTP method, and a future's callbacks run in the order they were added.
            self.request._body_future.add_done_callback(self._body_complete)

    def _body_complete(self, future: asyncio.Future[None]) -> None:
        chunks, self._body_chunks = self._body_chunks, None
        if chunks is not None and not future.cancelled() and future.exception() is None:
            self.request.body = chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def data_received(self, chunk: bytes) -> None:
        """Keep a JSON body's chunk, or pass an upload's to ``receive_upload``; past the
        limit, or when storing fails, answer at once (the connection then closes, so
        nothing more is read)."""
        if self._finished:
            return
        self._body_received += len(chunk)
        try:
            if self._body_received > self._body_limit:
                raise PayloadTooLarge(
                    "The request body is larger than this server accepts: at most "
                    f"{self._body_limit} bytes (MlopsExtension.{self._body_limit_trait})",
                    field="body",
                )
            if self._body_chunks is not None:
                self._body_chunks.append(chunk)
            else:
                await self.receive_upload(chunk)
        except Exception:
            # An exception leaving data_received would close the connection unanswered.
            self._body_chunks = None
            self.log_exception(*sys.exc_info())
            if not self._finished:
                self.send_error(500, exc_info=sys.exc_info())

    async def receive_upload(self, chunk: bytes) -> None:
        """Store one chunk of an upload (a method in ``upload_methods``): handlers that
        take uploads override this."""
        raise NotImplementedError(f"{type(self).__name__} takes no upload")

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking call (store, files) in the extension's thread pool."""
        executor: Executor = self.settings[SETTING_EXECUTOR]
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, functools.partial(fn, *args, **kwargs))

    # -- requests --------------------------------------------------------------------------
    def json_body(self, allowed: Sequence[str]) -> dict[str, Any]:
        """The request body as a JSON object with only ``allowed`` members ({} if empty)."""
        return parse_json_body(self.request.body, allowed)

    def query_str(self, name: str) -> str | None:
        value = self.get_query_argument(name, None)
        return value if value else None

    def query_list(self, name: str) -> list[str]:
        return [v for v in self.get_query_arguments(name) if v]

    def query_int(self, name: str, default: int) -> int:
        value = self.query_optional_int(name)
        return default if value is None else value

    def query_optional_int(self, name: str) -> int | None:
        raw = self.get_query_argument(name, None)
        if raw is None or raw == "":
            return None
        try:
            return int(raw)
        except ValueError:
            raise InvalidParameter(f"{name} must be an integer, got {raw!r}", field=name) from None

    # -- responses -------------------------------------------------------------------------
    def write_json(self, document: Any, status: int = 200) -> None:
        self.set_status(status)
        self.finish(dumps(document))

    def write_json_text(self, text: str, status: int = 200) -> None:
        """Answer with JSON already encoded (by a serializer that writes text directly)."""
        self.set_status(status)
        self.finish(text)

    def write_no_content(self) -> None:
        self.set_status(204)
        self.finish()

    def raised_error(self, **kwargs: Any) -> BaseException | None:
        """The exception ``write_error`` answers (None without one); a full or read-only
        disk, however the OS or the database said so, as InsufficientStorage."""
        error: BaseException | None = kwargs.get("exc_info", (None, None, None))[1]
        if error is not None and not isinstance(error, (MLOpsError, web.HTTPError)):
            return storage_error(error) or error
        return error

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = self.raised_error(**kwargs)
        if isinstance(error, MLOpsError):
            status, body = error.http_status, error.to_dict()
        elif isinstance(error, web.HTTPError):
            status = error.status_code
            message = error.log_message % error.args if error.log_message else None
            body = {
                "code": _CODES_BY_STATUS.get(status, "HTTP_ERROR"),
                "message": message or error.reason or responses.get(status, "Error"),
            }
        elif status_code < 500:  # tornado's own send_error(4xx) without an exception
            status = status_code
            body = {
                "code": _CODES_BY_STATUS.get(status, "HTTP_ERROR"),
                "message": responses.get(status, "Error"),
            }
        else:
            status = 500
            body = {
                "code": "INTERNAL_ERROR",
                "message": "Internal server error; the server log has the details",
            }
        self.set_status(status)
        self.finish(dumps({"error": body}))

    def log_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # A refused request is the caller's mistake: one line, no traceback. Tornado logs
        # everything else (a traceback for real failures).
        if isinstance(value, MLOpsError) and value.http_status < 500:
            self.log.info(
                "%s %s refused: %s %s%s",
                self.request.method,
                self.request.uri,
                value.http_status,
                value.message,
                f" (field {value.field})" if value.field else "",
            )
            return
        storage = None if value is None else storage_error(value)
        if storage is not None:
            # The server's condition, not the caller's: logged as an error, but the cause
            # (with the path the OS named) says it all; no traceback.
            self.log.error(
                "%s %s failed: %s (%s)", self.request.method, self.request.uri, storage, value
            )
            return
        super().log_exception(typ, value, tb)


def _authorization_token(header: str) -> str | None:
    """The token of an ``Authorization: token <t>`` or ``Bearer <t>`` header when it is one
    of ours (``mlops_`` prefix), else None (jupyter_server's own token is not looked up)."""
    from ...auth.entities import TOKEN_PREFIX

    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() not in ("token", "bearer") or not value.startswith(TOKEN_PREFIX):
        return None
    return value


def openapi_path(handler: MlopsAPIHandler) -> Path:
    path: Path = handler.settings[SETTING_OPENAPI_PATH]
    return path
