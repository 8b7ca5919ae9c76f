"""The argo backend: one Workflow per run, validated against Argo's schema (as generated
into hera's models from Argo's OpenAPI document, with unknown fields refused), submitted
through the real `kubernetes` client to the API emulator, executed by a helper that plays
the Argo controller with real step-runner processes, and read back into step rows."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hera.workflows.models import Workflow
from kube_emulator import KubeEmulator, kube_emulator
from kube_emulator.jobs import PodRunner, WorkflowRunner

import jupyter_mlops as mlops
from jupyter_mlops.errors import InvalidParameter, InvalidState
from jupyter_mlops.kube.client import KubeConfig
from jupyter_mlops.pipelines import states
from jupyter_mlops.pipelines.backends.argo import ArgoBackend
from jupyter_mlops.pipelines.backends.base import BackendSettings
from jupyter_mlops.pipelines.engine import RunEngine
from jupyter_mlops.pipelines.service import PipelineService
from jupyter_mlops.pipelines.store.sql_store import SqlPipelineStore
from jupyter_mlops.tracking.artifacts import LocalArtifactRepository
from jupyter_mlops.tracking.service import TrackingService
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore

pytestmark = pytest.mark.slow

NAMESPACE = "argo-runs"


@mlops.step(retries=2, timeout=300)
def flip(seed: int) -> str:
    print(f"flipping with seed {seed}")
    return "heads" if seed % 2 else "tails"


@mlops.step
def shout(word: str, times: int) -> str:
    return word.upper() * times


@mlops.step
def explode(word: str) -> str:
    raise RuntimeError(f"no {word}")


@mlops.pipeline
def coin(seed: int = 1):
    side = flip(seed=seed)
    with mlops.condition(side == "heads"):
        loud = shout(word=side, times=2)
    with mlops.condition(side == "tails"):
        shout(word=side, times=1)
    for n in mlops.parallel_for([1, 3]):
        shout(word="x", times=n)
    return loud


@mlops.pipeline
def doomed():
    shout(word=explode(word="luck"), times=1)


@mlops.step
def total(values: list) -> int:
    return len(values)


@mlops.pipeline
def fan_in():
    for n in mlops.parallel_for([1, 2]):
        word = shout(word="a", times=n)
    total(values=word)


def _strict(schema: Any) -> Any:
    """Argo's schema with every object closed (hera's models allow extra fields)."""
    if isinstance(schema, dict):
        schema = {key: _strict(value) for key, value in schema.items()}
        if schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
        return schema
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


ARGO_SCHEMA = _strict(Workflow.model_json_schema(by_alias=True))


class ArgoCluster:
    def __init__(self, emulator: KubeEmulator, tmp_path: Path) -> None:
        self.emulator = emulator
        self.user = getpass.getuser()
        store_uri = f"sqlite:///{tmp_path / 'store.db'}"
        artifact_root = tmp_path / "artifacts"
        self.tracking_store = SqlTrackingStore(store_uri)
        tracking = TrackingService(
            self.tracking_store, LocalArtifactRepository(artifact_root), (self.user,)
        )
        self.tracking = tracking
        engine = RunEngine(SqlPipelineStore(self.tracking_store.database), tracking)
        self.backend = ArgoBackend(
            engine,
            BackendSettings(
                tracking_uri="http://mlops.example:8888/",
                tracking_token="secret-token",
                namespace=NAMESPACE,
                kube_config=KubeConfig(host=emulator.url),
            ),
        )
        self.service = PipelineService(engine, {"argo": self.backend}, "argo", (self.user,))
        pods = PodRunner(
            emulator,
            env={
                "JUPYTER_MLOPS_TRACKING_URI": store_uri,
                "JUPYTER_MLOPS_ARTIFACT_ROOT": str(artifact_root),
            },
        )
        self.controller = WorkflowRunner(pods)

    def workflow(self, run_id: str) -> dict[str, Any]:
        found = self.emulator.list("argoproj.io/v1alpha1", "Workflow", NAMESPACE)
        return next(
            w for w in found if w["metadata"]["labels"]["mlops.jupyter.org/pipeline-run"] == run_id
        )


@pytest.fixture
def mlops_argo(tmp_path: Path) -> Iterator[ArgoCluster]:
    with kube_emulator() as emulator:
        cluster = ArgoCluster(emulator, tmp_path)
        yield cluster
        cluster.backend.close()
        cluster.tracking_store.close()


def test_run_compiles_to_one_valid_workflow_and_reads_back(mlops_argo: ArgoCluster) -> None:
    cluster = mlops_argo
    run = cluster.service.submit(cluster.user, coin.compile(), {"seed": 3})
    workflow = cluster.workflow(run.run_id)
    manifest = {k: v for k, v in workflow.items() if k != "status"}
    manifest["metadata"] = {k: workflow["metadata"][k] for k in ("name", "namespace", "labels")}
    jsonschema.validate(manifest, ARGO_SCHEMA)
    Workflow.model_validate(manifest)
    tasks = {t["name"]: t for t in workflow["spec"]["templates"][0]["dag"]["tasks"]}
    assert tasks["shout"]["dependencies"] == ["flip"]
    assert tasks["shout"]["when"] == "{{tasks.flip.outputs.parameters.Output}} == 'heads'"
    assert tasks["shout-3"]["withItems"] == ["1", "3"]
    flip_template = next(t for t in workflow["spec"]["templates"] if t["name"] == "step-flip")
    assert flip_template["retryStrategy"]["limit"] == "2"
    assert flip_template["activeDeadlineSeconds"] == "300"

    cluster.controller.run(NAMESPACE, workflow["metadata"]["name"])
    cluster.backend.reconcile()
    run = cluster.service.get_run(cluster.user, run.run_id)

    assert run.state == states.SUCCEEDED, run.message
    assert run.outputs == {"Output": "HEADSHEADS"}
    steps = {s.step_id: s for s in run.steps}
    assert steps["flip"].outputs == {"Output": "heads"}
    assert steps["shout-2"].state == states.NOT_TRIGGERED
    assert steps["shout-3[1]"].outputs == {"Output": "XXX"}
    assert (
        "flipping with seed 3"
        in cluster.service.step_logs(cluster.user, run.run_id, "flip", 0)["text"]
    )
    child = cluster.tracking.get_run(cluster.user, steps["shout-3[1]"].tracking_run_id)
    assert child.info.parent_run_id == run.tracking_run_id


def test_failed_workflow_fails_the_run(mlops_argo: ArgoCluster) -> None:
    cluster = mlops_argo
    run = cluster.service.submit(cluster.user, doomed.compile())
    cluster.controller.run(NAMESPACE, cluster.workflow(run.run_id)["metadata"]["name"])
    cluster.backend.reconcile()
    run = cluster.service.get_run(cluster.user, run.run_id)

    assert run.state == states.FAILED
    steps = {s.step_id: s for s in run.steps}
    assert steps["explode"].state == states.FAILED
    assert steps["shout"].state == states.SKIPPED
    assert "no luck" in cluster.service.step_logs(cluster.user, run.run_id, "explode", 0)["text"]
    with pytest.raises(InvalidState):
        cluster.service.retry(cluster.user, run.run_id)


def test_cancel_terminates_the_workflow(mlops_argo: ArgoCluster) -> None:
    cluster = mlops_argo
    run = cluster.service.submit(cluster.user, coin.compile())
    run = cluster.service.cancel(cluster.user, run.run_id)

    assert run.state == states.CANCELED
    assert cluster.workflow(run.run_id)["spec"]["shutdown"] == "Terminate"


def test_fan_in_is_refused_before_a_run_exists(mlops_argo: ArgoCluster) -> None:
    cluster = mlops_argo
    with pytest.raises(InvalidParameter, match="fan-in"):
        cluster.service.submit(cluster.user, fan_in.compile())
    assert cluster.service.list_runs(cluster.user)[0] == []
