"""The route table of the MLflow-compatible API, under ``{base_url}mlops/mlflow/``.

Every RPC is mounted at ``api/2.0/...`` (what MLflow's client calls) and
``ajax-api/2.0/...`` (what MLflow's web UI calls), and their ``3.0`` twins, as MLflow's
own server does. The
methods and paths are those of MLflow's protos (``service.proto``,
``model_registry.proto``, ``mlflow_artifacts.proto``); a test checks them against the
installed client's.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join
from tornado.web import RequestHandler

from . import registry as r
from . import tracking as t
from .artifacts import MlflowArtifactHandler, list_artifacts, not_implemented, server_info
from .handlers import (
    Endpoint,
    MlflowHealthHandler,
    MlflowNotFoundHandler,
    MlflowRpcHandler,
    MlflowVersionHandler,
    RpcTable,
)

MLFLOW_PREFIX = "mlops/mlflow"
MODEL_ID = r"(?P<model_id>[^/]+)"

#: (path under api/2.0/, {HTTP method: endpoint}), in matching order.
RPC_ROUTES: list[tuple[str, dict[str, Endpoint]]] = [
    ("mlflow/experiments/create", {"POST": t.create_experiment}),
    ("mlflow/experiments/get", {"GET": t.get_experiment}),
    ("mlflow/experiments/get-by-name", {"GET": t.get_experiment_by_name}),
    ("mlflow/experiments/search", {"POST": t.search_experiments, "GET": t.search_experiments}),
    ("mlflow/experiments/delete", {"POST": t.delete_experiment}),
    ("mlflow/experiments/restore", {"POST": t.restore_experiment}),
    ("mlflow/experiments/update", {"POST": t.update_experiment}),
    ("mlflow/experiments/set-experiment-tag", {"POST": t.set_experiment_tag}),
    ("mlflow/experiments/delete-experiment-tag", {"POST": t.delete_experiment_tag}),
    ("mlflow/experiments/search-datasets", {"POST": t.search_datasets}),
    ("mlflow/runs/create", {"POST": t.create_run}),
    ("mlflow/runs/get", {"GET": t.get_run}),
    ("mlflow/runs/update", {"POST": t.update_run}),
    ("mlflow/runs/delete", {"POST": t.delete_run}),
    ("mlflow/runs/restore", {"POST": t.restore_run}),
    ("mlflow/runs/log-metric", {"POST": t.log_metric}),
    ("mlflow/runs/log-parameter", {"POST": t.log_param}),
    ("mlflow/runs/set-tag", {"POST": t.set_tag}),
    ("mlflow/runs/delete-tag", {"POST": t.delete_tag}),
    ("mlflow/runs/log-batch", {"POST": t.log_batch}),
    ("mlflow/runs/log-model", {"POST": t.log_model}),
    ("mlflow/runs/log-inputs", {"POST": t.log_inputs}),
    ("mlflow/runs/outputs", {"POST": t.log_outputs}),
    ("mlflow/runs/search", {"POST": t.search_runs}),
    ("mlflow/metrics/get-history", {"GET": t.get_metric_history}),
    ("mlflow/metrics/get-history-bulk-interval", {"GET": t.get_metric_history_bulk_interval}),
    ("mlflow/artifacts/list", {"GET": t.list_artifacts}),
    ("mlflow/logged-models", {"POST": r.create_logged_model}),
    ("mlflow/logged-models/search", {"POST": r.search_logged_models}),
    (
        f"mlflow/logged-models/{MODEL_ID}",
        {
            "GET": r.get_logged_model,
            "PATCH": r.finalize_logged_model,
            "DELETE": r.delete_logged_model,
        },
    ),
    (f"mlflow/logged-models/{MODEL_ID}/tags", {"PATCH": r.set_logged_model_tags}),
    (
        f"mlflow/logged-models/{MODEL_ID}/tags/(?P<tag_key>.+)",
        {"DELETE": r.delete_logged_model_tag},
    ),
    (f"mlflow/logged-models/{MODEL_ID}/params", {"POST": r.log_logged_model_params}),
    (
        f"mlflow/logged-models/{MODEL_ID}/artifacts/directories",
        {"GET": r.list_logged_model_artifacts},
    ),
    ("mlflow/registered-models/create", {"POST": r.create_registered_model}),
    ("mlflow/registered-models/rename", {"POST": r.rename_registered_model}),
    ("mlflow/registered-models/update", {"PATCH": r.update_registered_model}),
    ("mlflow/registered-models/delete", {"DELETE": r.delete_registered_model}),
    ("mlflow/registered-models/get", {"GET": r.get_registered_model}),
    ("mlflow/registered-models/search", {"GET": r.search_registered_models}),
    (
        "mlflow/registered-models/get-latest-versions",
        {"POST": r.get_latest_versions, "GET": r.get_latest_versions},
    ),
    ("mlflow/registered-models/set-tag", {"POST": r.set_registered_model_tag}),
    ("mlflow/registered-models/delete-tag", {"DELETE": r.delete_registered_model_tag}),
    (
        "mlflow/registered-models/alias",
        {
            "POST": r.set_registered_model_alias,
            "DELETE": r.delete_registered_model_alias,
            "GET": r.get_model_version_by_alias,
        },
    ),
    ("mlflow/model-versions/create", {"POST": r.create_model_version}),
    ("mlflow/model-versions/update", {"PATCH": r.update_model_version}),
    ("mlflow/model-versions/transition-stage", {"POST": r.transition_model_version_stage}),
    ("mlflow/model-versions/delete", {"DELETE": r.delete_model_version}),
    ("mlflow/model-versions/get", {"GET": r.get_model_version}),
    ("mlflow/model-versions/search", {"GET": r.search_model_versions}),
    ("mlflow/model-versions/get-download-uri", {"GET": r.get_model_version_download_uri}),
    ("mlflow/model-versions/set-tag", {"POST": r.set_model_version_tag}),
    ("mlflow/model-versions/delete-tag", {"DELETE": r.delete_model_version_tag}),
    ("mlflow-artifacts/artifacts", {"GET": list_artifacts}),
    ("mlflow-artifacts/mpu/(?:create|complete|abort)/(?P<path>.+)", {"POST": not_implemented}),
    ("mlflow-artifacts/presigned/(?P<path>.+)", {"GET": not_implemented}),
    ("mlflow/artifacts/presigned-upload-url", {"POST": not_implemented}),
    ("mlflow/artifacts/presigned-download-url", {"POST": not_implemented}),
]

#: Where the RPCs are mounted: MLflow's client calls ``api/2.0`` (and ``api/3.0`` for a
#: few), its web UI ``ajax-api``; MLflow's server answers every RPC under each.
API_BASE = MLFLOW_PREFIX + r"/(?:api|ajax-api)/(?:2\.0|3\.0)/"
RPC_TABLE = RpcTable([*RPC_ROUTES, ("mlflow/server-info", {"GET": server_info})])


def build_mlflow_handlers() -> list[tuple[str, type[RequestHandler], dict[str, Any]]]:
    """The handlers to register (relative to ``{base_url}``; ExtensionApp joins it on)."""
    return [
        (API_BASE + "mlflow-artifacts/artifacts/(?P<path>.+)$", MlflowArtifactHandler, {}),
        (API_BASE + "(?P<rpc>mlflow.*)$", MlflowRpcHandler, {"table": RPC_TABLE}),
        (url_path_join(MLFLOW_PREFIX, "version") + "$", MlflowVersionHandler, {}),
        (url_path_join(MLFLOW_PREFIX, "health") + "$", MlflowHealthHandler, {}),
        (url_path_join(MLFLOW_PREFIX, ".*") + "$", MlflowNotFoundHandler, {}),
    ]
