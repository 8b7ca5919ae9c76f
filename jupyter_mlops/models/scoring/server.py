"""The scoring server: one model over HTTP with MLflow's scoring protocol (tornado).

``GET /ping`` and ``GET /health`` answer 200 once the model is loaded (it is loaded before
the server listens); ``GET /version`` gives the jupyter-mlops version; ``POST
/invocations`` scores a request (see ``protocol``). Errors are MLflow's
``{"error_code", "message"}`` with 400 for bad payloads and 415 for other content types.
Predictions run in a thread pool, so a slow model never stalls health checks.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tornado import web

from ... import __version__
from ...errors import MLOpsError
from ..pyfunc_model import PyFuncModel
from .invoke import invoke

DEFAULT_MAX_BODY_BYTES = 100 * 1024 * 1024


class _ScoringHandler(web.RequestHandler):
    def initialize(self, model: PyFuncModel, executor: ThreadPoolExecutor) -> None:
        self.model = model
        self.executor = executor

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, MLOpsError):
            status, code, message = error.http_status, error.code, error.message
            if error.code == "INVALID_PARAMETER_VALUE":
                code = "BAD_REQUEST"  # MLflow's code for a bad scoring payload
        elif isinstance(error, web.HTTPError) or status_code < 500:
            status, code, message = status_code, "BAD_REQUEST", self._reason
        else:
            status, code, message = 500, "INTERNAL_ERROR", "Internal server error; see the log"
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        body: dict[str, Any] = {"error_code": code, "message": message}
        if isinstance(error, MLOpsError) and error.field:
            body["field"] = error.field
        self.finish(json.dumps(body))


class PingHandler(_ScoringHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish("\n")


class VersionHandler(_ScoringHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/plain")
        self.finish(__version__)


class InvocationsHandler(_ScoringHandler):
    async def post(self) -> None:
        loop = asyncio.get_running_loop()
        document = await loop.run_in_executor(
            self.executor,
            invoke,
            self.model,
            self.request.body,
            self.request.headers.get("Content-Type"),
        )
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(document, allow_nan=False))


def make_app(model: PyFuncModel, workers: int = 4) -> web.Application:
    """The tornado application serving ``model``."""
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mlops-scoring")
    arguments = {"model": model, "executor": executor}
    return web.Application(
        [
            (r"/ping", PingHandler, arguments),
            (r"/health", PingHandler, arguments),
            (r"/version", VersionHandler, arguments),
            (r"/invocations", InvocationsHandler, arguments),
        ]
    )
