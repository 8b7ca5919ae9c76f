"""The route table against the installed MLflow client's own endpoint list."""

from __future__ import annotations

import re

from jupyter_mlops.server.mlflow.routes import RPC_ROUTES
from tests.mlflow_compat.conftest import MlflowClientRunner

# RPCs of MLflow's services that are out of scope here (GenAI: traces, scorers, datasets,
# prompts, gateway, webhooks, workspaces...), by path fragment.
OUT_OF_SCOPE = re.compile(
    r"trace|assessment|scorer|dataset|gateway|issue|label|review|prompt|workspace|webhook|"
    r"secret|endpoint|budget|mcp|online|insight|evaluation|sql-warehouse|judge|job"
)


def test_every_tracking_and_registry_rpc_of_the_client_is_routed(
    mlops_mlflow: MlflowClientRunner,
) -> None:
    client_endpoints = mlops_mlflow.run(
        """
        from mlflow.utils.rest_utils import extract_api_info_for_service
        from mlflow.protos.service_pb2 import MlflowService
        from mlflow.protos.model_registry_pb2 import ModelRegistryService
        from mlflow.protos.mlflow_artifacts_pb2 import MlflowArtifactsService
        found = []
        for service in (MlflowService, ModelRegistryService, MlflowArtifactsService):
            for path, method in extract_api_info_for_service(service, "").values():
                found.append([method, path])
        result(found)
        """
    )
    ours = {
        (
            method,
            re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", path).replace("(?:create|complete|abort)", "x"),
        )
        for path, endpoints in RPC_ROUTES
        for method in endpoints
    }
    missing = []
    for method, path in client_endpoints:
        path = path.removeprefix("/")
        if OUT_OF_SCOPE.search(path):
            continue
        path = re.sub(r"<path:\w+>", "{path}", path)
        path = re.sub(r"mpu/(create|complete|abort)/", "mpu/x/", path)
        if path.startswith("mlflow-artifacts/artifacts/"):
            continue  # served by the streaming file handler
        if (method, path) not in ours:
            missing.append((method, path))
    assert missing == []
