"""The server wiring: the backend Type trait (kubernetes, against the API emulator),
the reconcile loop started with the extension, and permissions between users."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_server.auth.identity import IdentityProvider, User
from kube_emulator import KubeEmulator, kube_emulator
from kube_emulator.jobs import PodRunner
from traitlets.config import Config

import jupyter_mlops as mlops
from jupyter_mlops.server.extension import ENV_TOKEN, ENV_TRACKING_URI

pytestmark = pytest.mark.slow
KUBERNETES_BACKEND = "jupyter_mlops.pipelines.backends.kubernetes.KubernetesBackend"


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


@pytest.fixture
def mlops_emulator() -> Iterator[KubeEmulator]:
    with kube_emulator() as emulator:
        yield emulator


@pytest.fixture
def jp_server_config(tmp_path: Path, mlops_emulator: KubeEmulator) -> Config:
    return Config(
        {
            "ServerApp": {
                "jpserver_extensions": {"jupyter_mlops": True, "jupyter_server_terminals": False},
                "allow_unauthenticated_access": False,
                "identity_provider_class": TwoUsers,
            },
            "MlopsExtension": {
                "store_uri": f"sqlite:///{tmp_path / 'store' / 'mlops.db'}",
                "artifact_root": str(tmp_path / "artifacts"),
                "max_workers": 2,
                "pipeline_backend_class": KUBERNETES_BACKEND,
                "pipeline_namespace": "team",
                "pipeline_poll_interval": 0.2,
                "pipeline_tracking_url": "http://mlops.team.svc:8888/",
                "kube_api_host": mlops_emulator.url,
            },
        }
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
            "JUPYTER_MLOPS_TRACKING_URI": str(jp_serverapp.config["MlopsExtension"]["store_uri"]),
            "JUPYTER_MLOPS_ARTIFACT_ROOT": str(tmp_path / "artifacts"),
        },
    )
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + 90
    while True:
        await loop.run_in_executor(None, pods.run_pending, "team")
        status, body = await _call(jp_fetch, "GET", f"pipeline-runs/{run['run_id']}", "alice")
        if body["run"]["state"] in ("SUCCEEDED", "FAILED"):
            break
        assert time.monotonic() < deadline, body
        await asyncio.sleep(0.2)
    assert body["run"]["state"] == "SUCCEEDED", body["run"]["message"]
    assert body["run"]["outputs"] == {"Output": 18}
    assert len(mlops_emulator.list("batch/v1", "Job", "team")) == 2
    assert "mlops_pipeline_service" in settings


async def test_only_the_owner_or_an_admin_cancels_or_retries(jp_fetch: Any) -> None:
    status, body = await _call(
        jp_fetch, "POST", "pipeline-runs", "alice", {"spec": tripler.compile(), "backend": "local"}
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
