"""The server wiring: the backend Type trait (kubernetes, against the API emulator),
the reconcile loop started with the extension, and permissions between users."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from jupyter_server.auth.identity import IdentityProvider, User
from kube_emulator import KubeEmulator
from kube_emulator.jobs import PodRunner
from kubernetes_validate import latest_version, validate
from pipeline_support import server_config
from traitlets.config import Config

import jupyter_mlops as mlops
from jupyter_mlops.server.extension import ENV_TOKEN, ENV_TRACKING_URI

pytestmark = pytest.mark.slow
KUBERNETES_BACKEND = "jupyter_mlops.pipelines.server.backends.kubernetes.KubernetesBackend"


class TwoUsers(IdentityProvider):
    """Token ``alice-token`` is alice, ``bob-token`` is bob."""

    def get_user(self, handler: Any) -> User | None:
        scheme, _, token = handler.request.headers.get("Authorization", "").partition(" ")
        name = (
            {"alice-token": "alice", "bob-token": "bob"}.get(token) if scheme == "token" else None
        )
        if name is None:
            return None
        handler._token_authenticated = True
        return User(username=name)


@mlops.step
def triple(x: int) -> int:
    return 3 * x


@mlops.pipeline
def tripler(x: int = 2):
    return triple(x=triple(x=x))


@mlops.step
def logged_triple(x: int) -> int:
    import jupyter_mlops as mlops

    mlops.log_metric("tripled", 3 * x)
    return 3 * x


@mlops.pipeline
def logged_tripler(x: int = 2):
    return logged_triple(x=x)


@pytest.fixture
def jp_server_config(tmp_path: Path, mlops_emulator: KubeEmulator) -> Config:
    return server_config(
        tmp_path,
        {"identity_provider_class": TwoUsers},
        Pipelines={
            "backend_class": KUBERNETES_BACKEND,
            "namespace": "team",
            "poll_interval": 0.2,
            "tracking_url": "http://mlops.team.svc:8888/",
        },
        Kube={"api_host": mlops_emulator.url},
    )


@pytest.fixture(autouse=True)
def mlops_kernel_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_TRACKING_URI, raising=False)
    monkeypatch.delenv(ENV_TOKEN, raising=False)


async def _call(
    jp_fetch: Any, method: str, path: str, user: str, body: Any = None
) -> tuple[int, Any]:
    response = await jp_fetch(
        "mlops",
        "api",
        *path.split("/"),
        method=method,
        headers={"Authorization": f"token {user}-token"},
        body=None if body is None else json.dumps(body),
        raise_error=False,
        allow_nonstandard_methods=True,
    )
    return response.code, json.loads(response.body) if response.body else None


async def _play_until_done(
    jp_fetch: Any, pods: PodRunner, run_id: str, timeout: float
) -> dict[str, Any]:
    """Runs the pending pods (as the kubelet would) until alice's run ends; returns it."""
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + timeout
    while True:
        await loop.run_in_executor(None, pods.run_pending, "team")
        _, body = await _call(jp_fetch, "GET", f"pipeline-runs/{run_id}", "alice")
        if body["run"]["state"] in ("SUCCEEDED", "FAILED"):
            run: dict[str, Any] = body["run"]
            return run
        assert time.monotonic() < deadline, body
        await asyncio.sleep(0.2)


async def test_configured_kubernetes_backend_runs_jobs_from_the_reconcile_loop(
    jp_serverapp: Any, jp_fetch: Any, mlops_emulator: KubeEmulator, tmp_path: Path
) -> None:
    status, body = await _call(
        jp_fetch, "POST", "pipeline-runs", "alice", {"spec": tripler.compile()}
    )
    assert status == 201, body
    run = body["run"]
    assert run["backend"] == "kubernetes"
    jobs = mlops_emulator.list("batch/v1", "Job", "team")
    assert len(jobs) == 1
    env = {
        e["name"]: e.get("value")
        for e in jobs[0]["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["JUPYTER_MLOPS_TRACKING_URI"] == "http://mlops.team.svc:8888/"

    # Play the cluster (the pods really run the step runner, logging to the store); the
    # server's own reconcile loop notices and creates the next Job.
    settings = jp_serverapp.web_app.settings
    pods = PodRunner(
        mlops_emulator,
        env={
            "JUPYTER_MLOPS_TRACKING_URI": str(jp_serverapp.config["Tracking"]["store_uri"]),
            "JUPYTER_MLOPS_ARTIFACT_ROOT": str(tmp_path / "artifacts"),
        },
    )
    finished = await _play_until_done(jp_fetch, pods, run["run_id"], timeout=90)
    assert finished["state"] == "SUCCEEDED", finished["message"]
    assert finished["outputs"] == {"Output": 18}
    assert len(mlops_emulator.list("batch/v1", "Job", "team")) == 2
    assert "mlops_pipeline_service" in settings


async def test_only_the_owner_or_an_admin_cancels_or_retries(jp_fetch: Any) -> None:
    # (On the cluster backend: the local one runs nobody's steps here, where users have no
    # OS accounts; see test_pipeline_local_isolation.py.)
    status, body = await _call(
        jp_fetch, "POST", "pipeline-runs", "alice", {"spec": tripler.compile()}
    )
    assert status == 201
    run_id = body["run"]["run_id"]
    status, body = await _call(jp_fetch, "GET", f"pipeline-runs/{run_id}", "bob")
    assert status == 200  # everybody reads
    status, body = await _call(jp_fetch, "POST", f"pipeline-runs/{run_id}/cancel", "bob", {})
    assert status == 403
    assert body["error"]["code"] == "PERMISSION_DENIED"
    status, body = await _call(jp_fetch, "POST", f"pipeline-runs/{run_id}/retry", "bob", {})
    assert status == 403


async def test_steps_on_a_cluster_act_as_the_runs_owner_with_a_token_of_the_run(
    jp_serverapp: Any, jp_fetch: Any, mlops_emulator: KubeEmulator
) -> None:
    # Given alice's run on the kubernetes backend of a multi-user server
    status, body = await _call(
        jp_fetch, "POST", "pipeline-runs", "alice", {"spec": logged_tripler.compile()}
    )
    assert status == 201, body
    run_id = body["run"]["run_id"]

    # Then its Job reads the token from the run's own Secret, labelled as the run's objects
    (job,) = mlops_emulator.list("batch/v1", "Job", "team")
    env = {e["name"]: e for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    secret_name = f"mlops-{run_id[:12]}-token"
    assert env["JUPYTER_MLOPS_TOKEN"]["valueFrom"]["secretKeyRef"]["name"] == secret_name
    secret = mlops_emulator.get("v1", "Secret", "team", secret_name)
    assert secret is not None
    validate(secret, latest_version(), strict=True)
    assert secret["metadata"]["labels"]["mlops.jupyter.org/pipeline-run"] == run_id
    assert secret["metadata"]["labels"]["mlops.jupyter.org/owner"] == "alice"
    assert mlops_emulator.get("v1", "Secret", "team", "jupyter-mlops-pipeline-token") is None
    token = secret["stringData"]["token"]
    # ... an API token of alice: our API takes it as alice, jupyter_server's does not
    pod_auth = {"Authorization": f"token {token}"}
    me = await jp_fetch("mlops", "api", "me", headers=pod_auth, raise_error=False)
    assert me.code == 200 and json.loads(me.body)["user"] == "alice"
    contents = await jp_fetch("api", "contents", headers=pod_auth, raise_error=False)
    assert contents.code == 403
    status, listed = await _call(jp_fetch, "GET", "tokens", "alice")
    (record,) = [t for t in listed["tokens"] if t["note"] == f"pipeline run {run_id}"]
    assert record["expires_at"] is not None

    # When the pod runs, logging to this server with the token its Secret gives it
    pods = PodRunner(
        mlops_emulator,
        env={"JUPYTER_MLOPS_TRACKING_URI": jp_serverapp.connection_url},
        secrets=True,
    )
    finished = await _play_until_done(jp_fetch, pods, run_id, timeout=60)
    assert finished["state"] == "SUCCEEDED", finished["message"]

    # Then the step's tracking run is alice's, and the run's token and Secret are gone
    step_run = finished["steps"][0]["tracking_run_id"]
    status, child = await _call(jp_fetch, "GET", f"runs/{step_run}", "alice")
    assert child["run"]["info"]["user"] == "alice"
    assert child["run"]["metrics"]["tripled"]["value"] == 6
    me = await jp_fetch("mlops", "api", "me", headers=pod_auth, raise_error=False)
    assert me.code == 403
    assert mlops_emulator.get("v1", "Secret", "team", secret_name) is None
