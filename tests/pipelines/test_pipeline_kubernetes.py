"""The kubernetes backend through the real `kubernetes` client against the API emulator:
a Job per step created as dependencies succeed, every Job validated against the official
schema, the steps really executed by the step runner (tests/kube_emulator/jobs.py), logs
kept after the pods are gone, and a restarted server picking up where it stopped."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from cluster_support import EmulatedCluster, emulated_cluster
from kube_emulator import KubeEmulator

import jupyter_mlops as mlops
from jupyter_mlops.auth import SqlTokenStore, TokenService
from jupyter_mlops.kube.client import KubeConfig
from jupyter_mlops.pipelines.server.backends.base import BackendSettings
from jupyter_mlops.pipelines.server.backends.kubernetes import KubernetesBackend
from jupyter_mlops.pipelines.server.engine import RunEngine
from jupyter_mlops.pipelines.server.service import PipelineService
from jupyter_mlops.pipelines.server.store.sql_store import SqlPipelineStore
from jupyter_mlops.pipelines.spec import states

pytestmark = pytest.mark.slow

NAMESPACE = "pipelines"
K8S_VERSION = kubernetes_validate.latest_version()


@mlops.step(image="python:3.11-slim", cpu="500m", memory="256Mi", retries=1, timeout=600)
def square(x: int) -> int:
    print(f"squaring {x}")
    return x * x


@mlops.step
def fail_on(x: int) -> int:
    raise ValueError(f"refusing {x}")


@mlops.step
def plus(a: int, b: int) -> int:
    return a + b


@mlops.pipeline
def squares(x: int = 3):
    first = square(x=x)
    for item in mlops.parallel_for([1, 2]):
        square(x=item)
    return plus(a=first, b=plus(a=first, b=first).output)


@mlops.pipeline
def broken(x: int = 3):
    plus(a=fail_on(x=x), b=1)


class Cluster(EmulatedCluster):
    backend: KubernetesBackend

    def __init__(self, emulator: KubeEmulator, tmp_path: Path) -> None:
        super().__init__(emulator, tmp_path)
        #: Issues each run a token of its own (as the server extension does); None: the
        #: namespace-wide Secret of ``tracking_token``.
        self.tokens: TokenService | None = None
        self.service, self.backend = self.new_server()

    def new_server(self) -> tuple[PipelineService, KubernetesBackend]:
        """A (re)started server: a fresh engine and backend on the same store and cluster."""
        engine = RunEngine(SqlPipelineStore(self.tracking_store.database), self.tracking)
        backend = KubernetesBackend(
            engine,
            BackendSettings(
                parallelism=4,
                tracking_uri="http://mlops.example:8888/",
                tracking_token="secret-token",
                namespace=NAMESPACE,
                kube_config=KubeConfig(host=self.emulator.url),
                tokens=self.tokens,
            ),
        )
        return PipelineService(engine, {"kubernetes": backend}, "kubernetes", (self.user,)), backend

    def drive(self, run_id: str, timeout: float = 120) -> Any:
        """Play the cluster (run pending pods) and the server's loop until the run ends."""
        deadline = time.monotonic() + timeout
        while True:
            self.backend.reconcile()
            run = self.service.get_run(self.user, run_id)
            if run.state in states.RUN_FINAL:
                return run
            self.pods.run_pending(NAMESPACE)
            assert time.monotonic() < deadline, run
            time.sleep(0.05)

    def jobs(self) -> list[dict[str, Any]]:
        return self.emulator.list("batch/v1", "Job", NAMESPACE)


@pytest.fixture
def mlops_cluster(tmp_path: Path) -> Iterator[Cluster]:
    with emulated_cluster(Cluster, tmp_path) as cluster:
        yield cluster


def test_pipeline_runs_as_one_job_per_step(mlops_cluster: Cluster) -> None:
    cluster = mlops_cluster
    run = cluster.service.submit(cluster.user, squares.compile(), {"x": 4})
    # Only the steps without dependencies have Jobs at first.
    first_jobs = {
        job["metadata"]["annotations"]["mlops.jupyter.org/pipeline-step"] for job in cluster.jobs()
    }
    assert first_jobs == {"square", "square-2[0]", "square-2[1]"}

    run = cluster.drive(run.run_id)

    assert run.state == states.SUCCEEDED, run.message
    assert run.outputs == {"Output": 48}
    jobs = cluster.jobs()
    assert len(jobs) == 5
    for job in jobs:
        kubernetes_validate.validate(job, K8S_VERSION, strict=True)
        assert job["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "jupyter-mlops"
        pod = job["spec"]["template"]["spec"]
        assert pod["restartPolicy"] == "Never"
        assert pod["automountServiceAccountToken"] is False
        assert pod["containers"][0]["resources"]["limits"]
    square_job = next(
        j
        for j in jobs
        if j["metadata"]["annotations"]["mlops.jupyter.org/pipeline-step"] == "square"
    )
    container = square_job["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "python:3.11-slim"
    assert container["resources"]["limits"] == {"cpu": "500m", "memory": "256Mi"}
    assert square_job["spec"]["backoffLimit"] == 1
    assert square_job["spec"]["activeDeadlineSeconds"] == 1200
    token = next(e for e in container["env"] if e["name"] == "JUPYTER_MLOPS_TOKEN")
    assert token["valueFrom"]["secretKeyRef"]["name"] == "jupyter-mlops-pipeline-token"
    secret = cluster.emulator.get("v1", "Secret", NAMESPACE, "jupyter-mlops-pipeline-token")
    assert secret is not None
    kubernetes_validate.validate(secret, K8S_VERSION, strict=True)

    # Logs were copied while the pods existed; garbage-collecting them loses nothing.
    for pod in cluster.emulator.list("v1", "Pod", NAMESPACE):
        cluster.emulator.state.delete(
            cluster.emulator.state.resource("v1", "Pod"), NAMESPACE, pod["metadata"]["name"]
        )
    logs = cluster.service.step_logs(cluster.user, run.run_id, "square", 0)
    assert "squaring 4" in logs["text"] and logs["complete"]
    # Each step logged to its own child tracking run, through the runner.
    step = {s.step_id: s for s in run.steps}["square"]
    child = cluster.tracking.get_run(cluster.user, step.tracking_run_id)
    assert child.info.parent_run_id == run.tracking_run_id
    assert child.params == {"x": "4"}


def test_failed_job_fails_the_run_with_the_steps_error(mlops_cluster: Cluster) -> None:
    cluster = mlops_cluster
    run = cluster.drive(cluster.service.submit(cluster.user, broken.compile()).run_id)

    assert run.state == states.FAILED
    steps = {s.step_id: s for s in run.steps}
    assert steps["fail-on"].state == states.FAILED
    assert "ValueError: refusing 3" in steps["fail-on"].message
    assert steps["plus"].state == states.SKIPPED
    assert len(cluster.jobs()) == 1  # nothing downstream was created


def test_restarted_server_picks_up_running_jobs(mlops_cluster: Cluster) -> None:
    cluster = mlops_cluster
    run = cluster.service.submit(cluster.user, squares.compile(), {"x": 2})
    cluster.pods.run_pending(NAMESPACE)  # the first Jobs finish while the server is down
    cluster.backend.close()

    cluster.service, cluster.backend = cluster.new_server()
    run = cluster.drive(run.run_id)

    assert run.state == states.SUCCEEDED, run.message
    assert run.outputs == {"Output": 12}
    assert len(cluster.jobs()) == 5  # no Job was created twice


def test_cancel_deletes_the_jobs(mlops_cluster: Cluster) -> None:
    cluster = mlops_cluster
    run = cluster.service.submit(cluster.user, squares.compile(), {"x": 2})
    assert cluster.jobs()

    cluster.service.cancel(cluster.user, run.run_id)
    run = cluster.service.get_run(cluster.user, run.run_id)

    assert run.state == states.CANCELED
    assert cluster.jobs() == []
    assert {s.state for s in run.steps} == {states.CANCELED}


def test_each_submission_gets_a_token_of_the_owner_until_the_run_ends(
    mlops_cluster: Cluster,
) -> None:
    cluster = mlops_cluster
    tokens = TokenService(SqlTokenStore(cluster.tracking_store.database), ())
    cluster.tokens = tokens
    cluster.service, cluster.backend = cluster.new_server()

    def run_token(run_id: str) -> str | None:
        secret = cluster.emulator.get("v1", "Secret", NAMESPACE, f"mlops-{run_id[:12]}-token")
        if secret is None:
            return None
        kubernetes_validate.validate(secret, K8S_VERSION, strict=True)
        token = tokens.authenticate(secret["stringData"]["token"])
        assert token is not None and token.owner == cluster.user
        return str(secret["stringData"]["token"])

    # A submitted run's Job reads the run's own Secret: a token acting as the run's owner.
    run = cluster.service.submit(cluster.user, broken.compile())
    (job,) = cluster.jobs()
    env = {e["name"]: e for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    secret_ref = env["JUPYTER_MLOPS_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert secret_ref["name"] == f"mlops-{run.run_id[:12]}-token"
    first = run_token(run.run_id)
    assert first is not None
    assert cluster.emulator.get("v1", "Secret", NAMESPACE, "jupyter-mlops-pipeline-token") is None

    # A server restarted mid-run still ends it, and then revokes the token, deletes the Secret.
    cluster.backend.close()
    cluster.service, cluster.backend = cluster.new_server()
    assert cluster.drive(run.run_id).state == states.FAILED
    assert run_token(run.run_id) is None and tokens.authenticate(first) is None

    # A retry gets a fresh token, released again when the retried run ends.
    cluster.service.retry(cluster.user, run.run_id)
    second = run_token(run.run_id)
    assert second is not None and second != first
    assert cluster.drive(run.run_id).state == states.FAILED
    assert run_token(run.run_id) is None and tokens.authenticate(second) is None

    # A run that ended while no server watched it: the next server's first pass releases.
    other = cluster.service.submit(cluster.user, broken.compile())
    third = run_token(other.run_id)
    cluster.backend.close()
    engine = cluster.backend.engine
    engine.finish_run(engine.store.get_run(other.run_id), states.FAILED, message="lost")
    cluster.service, cluster.backend = cluster.new_server()
    cluster.backend.reconcile()
    assert run_token(other.run_id) is None and tokens.authenticate(str(third)) is None
