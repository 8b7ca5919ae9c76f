"""The route table of the native REST API, built from constants.

Patterns are relative to ``{base_url}``: ExtensionApp joins the server's base URL onto
each of them (one ``url_path_join`` for all). Ids are matched loosely (``[^/]+``) so that
a malformed id reaches the service and gets a JSON 400 naming the field instead of the
server's HTML 404; fixed segments (``runs/search``) therefore come before ``runs/{run_id}``.
Keys and artifact paths take the rest of the URL, since metric keys may contain ``/``.
"""

from __future__ import annotations

from jupyter_server.utils import url_path_join
from tornado.web import RequestHandler

from .handlers.artifacts import ArtifactHandler, ArtifactListHandler
from .handlers.experiments import (
    ExperimentHandler,
    ExperimentRestoreHandler,
    ExperimentsHandler,
    ExperimentTagHandler,
)
from .handlers.meta import MeHandler, OpenAPIHandler
from .handlers.runs import (
    MetricHistoryHandler,
    RunBatchHandler,
    RunCountHandler,
    RunHandler,
    RunRestoreHandler,
    RunSearchHandler,
    RunsHandler,
    RunTagHandler,
)

API_PREFIX = "mlops/api"

EXPERIMENT_ID = r"(?P<experiment_id>[^/]+)"
RUN_ID = r"(?P<run_id>[^/]+)"
KEY = r"(?P<key>.+)"
ARTIFACT_PATH = r"(?P<path>.+)"

#: (pattern relative to API_PREFIX, handler), in matching order.
ROUTES: list[tuple[str, type[RequestHandler]]] = [
    ("experiments", ExperimentsHandler),
    (f"experiments/{EXPERIMENT_ID}", ExperimentHandler),
    (f"experiments/{EXPERIMENT_ID}/restore", ExperimentRestoreHandler),
    (f"experiments/{EXPERIMENT_ID}/tags/{KEY}", ExperimentTagHandler),
    ("runs", RunsHandler),
    ("runs/search", RunSearchHandler),
    ("runs/count", RunCountHandler),
    (f"runs/{RUN_ID}", RunHandler),
    (f"runs/{RUN_ID}/restore", RunRestoreHandler),
    (f"runs/{RUN_ID}/batch", RunBatchHandler),
    (f"runs/{RUN_ID}/tags/{KEY}", RunTagHandler),
    (f"runs/{RUN_ID}/metrics/{KEY}", MetricHistoryHandler),
    (f"runs/{RUN_ID}/artifacts", ArtifactListHandler),
    (f"runs/{RUN_ID}/artifacts/{ARTIFACT_PATH}", ArtifactHandler),
    ("me", MeHandler),
    ("openapi.yaml", OpenAPIHandler),
]


def build_handlers() -> list[tuple[str, type[RequestHandler]]]:
    """The handlers to register, patterns anchored at the end (tornado anchors the start)."""
    return [(url_path_join(API_PREFIX, pattern) + "$", handler) for pattern, handler in ROUTES]
