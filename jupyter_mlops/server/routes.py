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
from .handlers.notebook_servers import (
    NotebookServerEventsHandler,
    NotebookServerHandler,
    NotebookServerLogsHandler,
    NotebookServerManifestHandler,
    NotebookServerOptionsHandler,
    NotebookServersHandler,
    NotebookServerStartHandler,
    NotebookServerStopHandler,
)
from .handlers.pipelines import (
    PipelineCompileHandler,
    PipelineHandler,
    PipelineRunCancelHandler,
    PipelineRunHandler,
    PipelineRunRetryHandler,
    PipelineRunsHandler,
    PipelinesHandler,
    PipelineStepLogsHandler,
    ScheduleHandler,
    SchedulesHandler,
)
from .handlers.predict import ModelPredictHandler
from .handlers.registry import (
    ExperimentLoggedModelsHandler,
    LoggedModelArtifactHandler,
    LoggedModelArtifactListHandler,
    LoggedModelHandler,
    LoggedModelParamsHandler,
    LoggedModelTagHandler,
    ModelAliasHandler,
    ModelUriHandler,
    ModelVersionHandler,
    ModelVersionSearchHandler,
    ModelVersionsHandler,
    ModelVersionTagHandler,
    RegisteredModelHandler,
    RegisteredModelsHandler,
    RegisteredModelTagHandler,
    RunLoggedModelsHandler,
)
from .handlers.runs import (
    MetricHistoryHandler,
    RunBatchHandler,
    RunCountHandler,
    RunHandler,
    RunInputsHandler,
    RunRestoreHandler,
    RunSearchHandler,
    RunsHandler,
    RunTagHandler,
)
from .handlers.runtime import RuntimeWheelHandler
from .handlers.tokens import TokenHandler, TokensHandler

API_PREFIX = "mlops/api"

EXPERIMENT_ID = r"(?P<experiment_id>[^/]+)"
RUN_ID = r"(?P<run_id>[^/]+)"
KEY = r"(?P<key>.+)"
ARTIFACT_PATH = r"(?P<path>.+)"
OWNER = r"(?P<owner>[^/]+)"
SERVER = r"(?P<name>[^/]+)"
MODEL_NAME = r"(?P<name>[^/]+)"
VERSION = r"(?P<version>[^/]+)"
ALIAS = r"(?P<alias>[^/]+)"
LOGGED_MODEL_ID = r"(?P<model_id>[^/]+)"

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
    (f"runs/{RUN_ID}/inputs", RunInputsHandler),
    (f"runs/{RUN_ID}/tags/{KEY}", RunTagHandler),
    (f"runs/{RUN_ID}/metrics/{KEY}", MetricHistoryHandler),
    (f"runs/{RUN_ID}/artifacts", ArtifactListHandler),
    (f"runs/{RUN_ID}/artifacts/{ARTIFACT_PATH}", ArtifactHandler),
    ("notebook-servers", NotebookServersHandler),
    ("notebook-servers/options", NotebookServerOptionsHandler),
    (f"notebook-servers/{OWNER}/{SERVER}", NotebookServerHandler),
    (f"notebook-servers/{OWNER}/{SERVER}/start", NotebookServerStartHandler),
    (f"notebook-servers/{OWNER}/{SERVER}/stop", NotebookServerStopHandler),
    (f"notebook-servers/{OWNER}/{SERVER}/logs", NotebookServerLogsHandler),
    (f"notebook-servers/{OWNER}/{SERVER}/events", NotebookServerEventsHandler),
    (f"notebook-servers/{OWNER}/{SERVER}/manifest", NotebookServerManifestHandler),
    ("pipeline-runs", PipelineRunsHandler),
    (f"pipeline-runs/{RUN_ID}", PipelineRunHandler),
    (f"pipeline-runs/{RUN_ID}/cancel", PipelineRunCancelHandler),
    (f"pipeline-runs/{RUN_ID}/retry", PipelineRunRetryHandler),
    (f"pipeline-runs/{RUN_ID}/steps/(?P<step_id>[^/]+)/logs", PipelineStepLogsHandler),
    ("pipelines", PipelinesHandler),
    ("pipelines/compile", PipelineCompileHandler),
    ("pipelines/runtime/(?P<name>[^/]+)", RuntimeWheelHandler),
    ("pipelines/(?P<pipeline_id>[^/]+)", PipelineHandler),
    ("pipeline-schedules", SchedulesHandler),
    ("pipeline-schedules/(?P<schedule_id>[^/]+)", ScheduleHandler),
    ("models/(?P<name>.+)/predict", ModelPredictHandler),
    # --- registry ---
    ("registered-models", RegisteredModelsHandler),
    (f"registered-models/{MODEL_NAME}", RegisteredModelHandler),
    (f"registered-models/{MODEL_NAME}/tags/{KEY}", RegisteredModelTagHandler),
    (f"registered-models/{MODEL_NAME}/versions", ModelVersionsHandler),
    (f"registered-models/{MODEL_NAME}/versions/{VERSION}", ModelVersionHandler),
    (f"registered-models/{MODEL_NAME}/versions/{VERSION}/tags/{KEY}", ModelVersionTagHandler),
    (f"registered-models/{MODEL_NAME}/aliases/{ALIAS}", ModelAliasHandler),
    ("model-versions/search", ModelVersionSearchHandler),
    ("model-uris/resolve", ModelUriHandler),
    (f"experiments/{EXPERIMENT_ID}/logged-models", ExperimentLoggedModelsHandler),
    (f"runs/{RUN_ID}/logged-models", RunLoggedModelsHandler),
    (f"logged-models/{LOGGED_MODEL_ID}", LoggedModelHandler),
    (f"logged-models/{LOGGED_MODEL_ID}/tags/{KEY}", LoggedModelTagHandler),
    (f"logged-models/{LOGGED_MODEL_ID}/params", LoggedModelParamsHandler),
    (f"logged-models/{LOGGED_MODEL_ID}/artifacts", LoggedModelArtifactListHandler),
    (f"logged-models/{LOGGED_MODEL_ID}/artifacts/{ARTIFACT_PATH}", LoggedModelArtifactHandler),
    # --- tokens ---
    ("tokens", TokensHandler),
    ("tokens/(?P<token_id>[^/]+)", TokenHandler),
    ("me", MeHandler),
    ("openapi.yaml", OpenAPIHandler),
]


def build_handlers() -> list[tuple[str, type[RequestHandler]]]:
    """The handlers to register, patterns anchored at the end (tornado anchors the start)."""
    return [(url_path_join(API_PREFIX, pattern) + "$", handler) for pattern, handler in ROUTES]
