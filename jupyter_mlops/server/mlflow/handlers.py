"""Tornado handlers of the MLflow-compatible API.

:class:`MlflowRpcHandler` serves every JSON RPC: the route table gives it, per path, one
endpoint function per HTTP method (``registered-models/alias`` has three). The whole of a
call (reading fields, the service call, encoding the answer) runs in the extension's
thread pool, in one hop, so the IO loop only moves bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from http.client import responses
from types import TracebackType
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...errors import InvalidParameter, MLOpsError
from ..handlers.base import MlopsAPIHandler
from .call import Call, Fields, parse_body
from .errors import CODE_BY_STATUS, mlflow_error

Endpoint = Callable[[Call], dict[str, Any]]


class MlflowHandler(MlopsAPIHandler):
    """The base of the MLflow-compatible handlers: MLflow's error body and statuses."""

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = self.raised_error(**kwargs)
        if isinstance(error, MLOpsError):
            status, body = mlflow_error(error)
        elif isinstance(error, web.HTTPError):
            status = error.status_code
            message = error.log_message % error.args if error.log_message else None
            body = {
                "error_code": CODE_BY_STATUS.get(status, "BAD_REQUEST"),
                "message": message or error.reason or responses.get(status, "Error"),
            }
        elif status_code < 500:
            status = status_code
            body = {
                "error_code": CODE_BY_STATUS.get(status, "BAD_REQUEST"),
                "message": responses.get(status, "Error"),
            }
        else:
            status = 500
            body = {
                "error_code": "INTERNAL_ERROR",
                "message": "Internal server error; the server log has the details",
            }
        if status == 405:  # MLflow's client falls through to other endpoints on this code
            status = 404
        self.clear_header("Content-Disposition")
        self.set_header("Content-Type", "application/json")
        self.set_status(status)
        self.finish(json.dumps(body))

    def log_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(value, MLOpsError) and value.http_status == 501:
            self.log.info("%s %s: %s", self.request.method, self.request.uri, value.message)
            return
        super().log_exception(typ, value, tb)

    def compute_etag(self) -> str | None:
        return None  # API answers are never revalidated; no SHA-1 over every body


def _query_fields(arguments: Mapping[str, list[bytes]]) -> Fields:
    try:
        data = {k: [v.decode("utf-8") for v in values] for k, values in arguments.items()}
    except UnicodeDecodeError:
        raise InvalidParameter("The query string is not valid UTF-8", field="query") from None
    return Fields(data, from_query=True)


def _serve(endpoint: Endpoint, call: Call) -> str:
    # Compact: a 100-run search answer is 150 kB, and every byte is parsed again by the
    # client (MLflow's turns it into protobuf messages).
    return json.dumps(endpoint(call), allow_nan=False, ensure_ascii=False, separators=_COMPACT)


_COMPACT = (",", ":")


class RpcTable:
    """RPC paths (relative to ``api/2.0/``) to ``{HTTP method: endpoint}``.

    Fixed paths are found with one dict lookup; only the few paths with parameters
    (``logged-models/{model_id}``) are matched by pattern. One tornado rule serves them all,
    so a request does not walk a regex per RPC and API version.
    """

    def __init__(self, routes: Sequence[tuple[str, Mapping[str, Endpoint]]]) -> None:
        self.fixed: dict[str, Mapping[str, Endpoint]] = {}
        self.patterns: list[tuple[re.Pattern[str], Mapping[str, Endpoint]]] = []
        for path, endpoints in routes:
            if "(" in path:
                self.patterns.append((re.compile(path + "$"), endpoints))
            else:
                self.fixed[path] = endpoints

    def find(self, rpc: str) -> tuple[Mapping[str, Endpoint], dict[str, str]] | None:
        endpoints = self.fixed.get(rpc)
        if endpoints is not None:
            return endpoints, {}
        for pattern, endpoints in self.patterns:
            match = pattern.match(rpc)
            if match:
                return endpoints, match.groupdict()
        return None


class MlflowRpcHandler(MlflowHandler):
    """Every MLflow RPC: ``table`` finds the endpoint of the path's ``rpc`` part."""

    table: RpcTable

    def initialize(self, table: RpcTable) -> None:
        self.table = table

    async def _dispatch(self, rpc: str) -> None:
        method = self.request.method or "GET"
        found = self.table.find(rpc)
        endpoint = None if found is None else found[0].get(method)
        if found is None or endpoint is None:
            raise web.HTTPError(404, "No MLflow endpoint %s %s", method, self.request.path)
        path = found[1]
        if method == "GET":
            fields = _query_fields(self.request.query_arguments)
        else:
            fields = Fields(parse_body(self.request.body))
        call = Call(self.caller, fields, path, self.settings, self.request.host)
        text = await self.run(_serve, endpoint, call)
        self.set_header("Content-Type", "application/json")
        self.finish(text)

    @web.authenticated
    @authorized
    async def get(self, rpc: str) -> None:
        await self._dispatch(rpc)

    @web.authenticated
    @authorized
    async def post(self, rpc: str) -> None:
        await self._dispatch(rpc)

    @web.authenticated
    @authorized
    async def patch(self, rpc: str) -> None:
        await self._dispatch(rpc)

    @web.authenticated
    @authorized
    async def delete(self, rpc: str) -> None:
        await self._dispatch(rpc)


class MlflowNotFoundHandler(MlflowHandler):
    """Any other path under the prefix: MLflow's ENDPOINT_NOT_FOUND, as JSON."""

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if not self.current_user:
            raise web.HTTPError(403)
        raise web.HTTPError(404, "No MLflow endpoint %s %s", self.request.method, self.request.path)


class MlflowVersionHandler(MlflowHandler):
    """``GET /version``: the MLflow API version this server speaks (plain text, as MLflow)."""

    @web.authenticated
    async def get(self) -> None:
        self.set_header("Content-Type", "text/plain")
        self.finish(MLFLOW_API_VERSION)


class MlflowHealthHandler(MlflowHandler):
    @web.authenticated
    async def get(self) -> None:
        self.set_header("Content-Type", "text/plain")
        self.finish("OK")


#: The MLflow release whose client this API is tested with.
MLFLOW_API_VERSION = "3.17.2"
