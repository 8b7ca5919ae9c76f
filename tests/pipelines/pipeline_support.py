"""Helpers of the pipeline tests: a pipeline service with the local backend on a
temporary SQLite store and artifact root, as the server wires it."""

from __future__ import annotations

import asyncio
import getpass
import importlib
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traitlets.config import Config

import jupyter_mlops as mlops
from jupyter_mlops.pipelines.server.backends.base import BackendSettings
from jupyter_mlops.pipelines.server.backends.local import LocalBackend
from jupyter_mlops.pipelines.server.engine import RunEngine
from jupyter_mlops.pipelines.server.service import PipelineService
from jupyter_mlops.pipelines.server.store.sql_store import SqlPipelineStore
from jupyter_mlops.pipelines.spec import states
from jupyter_mlops.pipelines.spec.entities import PipelineRun
from jupyter_mlops.tracking.artifacts import LocalArtifactRepository
from jupyter_mlops.tracking.service import TrackingService
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore


@dataclass
class PipelineEnv:
    service: PipelineService
    backend: LocalBackend
    tracking: TrackingService
    user: str
    store_uri: str
    artifact_root: Path

    def wait(self, run_id: str, timeout: float = 60) -> PipelineRun:
        """The run once it reached a final state."""
        deadline = time.monotonic() + timeout
        while True:
            run = self.service.get_run(self.user, run_id)
            if run.state in states.RUN_FINAL:
                return run
            if time.monotonic() > deadline:
                raise AssertionError(f"run still {run.state} after {timeout}s: {run.steps}")
            time.sleep(0.05)

    def steps(self, run: PipelineRun) -> dict[str, object]:
        return {step.step_id: step for step in run.steps or []}


def make_env(store_uri: str, artifact_root: Path, parallelism: int = 4) -> PipelineEnv:
    user = getpass.getuser()
    tracking_store = SqlTrackingStore(store_uri)
    tracking = TrackingService(tracking_store, LocalArtifactRepository(artifact_root), (user,))
    engine = RunEngine(SqlPipelineStore(tracking_store.database), tracking)
    backend = LocalBackend(
        engine,
        BackendSettings(
            tracking_uri=store_uri, artifact_root=artifact_root, parallelism=parallelism
        ),
    )
    service = PipelineService(engine, {"local": backend}, "local", (user,))
    return PipelineEnv(service, backend, tracking, user, store_uri, artifact_root)


def server_config(tmp_path: Path, server: Mapping[str, Any] | None = None, **mlops: Any) -> Config:
    """The config of a pytest-jupyter server with jupyter_mlops on a fresh SQLite store and
    artifact root under ``tmp_path``, authentication on. ``mlops`` adds or overrides
    MlopsExtension traits and sections (``Pipelines={...}``, ``Kube={...}``), ``server``
    ServerApp ones."""
    return Config(
        {
            "ServerApp": {
                "jpserver_extensions": {"jupyter_mlops": True, "jupyter_server_terminals": False},
                "allow_unauthenticated_access": False,
                **(server or {}),
            },
            "Tracking": {
                "store_uri": f"sqlite:///{tmp_path / 'store' / 'mlops.db'}",
                "artifact_root": str(tmp_path / "artifacts"),
            },
            "MlopsExtension": {
                "max_workers": 2,
                **mlops,
            },
        }
    )


# -- a server's API, as a step or a user calls it ----------------------------------------------
async def call_api(
    jp_fetch: Any,
    method: str,
    path: str,
    token: str,
    body: Any = None,
    params: Mapping[str, str] | None = None,
) -> tuple[int, Any]:
    """``{method} mlops/api/{path}?{params}`` with ``Authorization: token {token}``: the
    status and the JSON body (None when empty)."""
    response = await jp_fetch(
        "mlops",
        "api",
        *path.split("/"),
        method=method,
        headers={"Authorization": f"token {token}"},
        body=None if body is None else json.dumps(body),
        params=dict(params or {}) or None,
        raise_error=False,
        allow_nonstandard_methods=True,
    )
    return response.code, json.loads(response.body) if response.body else None


async def wait_for_run(
    jp_fetch: Any, run_id: str, token: str, timeout: float = 90
) -> dict[str, Any]:
    """The run (as the API shows it) once it reached a final state; the event loop (and
    so the server, which steps call) runs meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        status, body = await call_api(jp_fetch, "GET", f"pipeline-runs/{run_id}", token)
        assert status == 200, body
        if body["run"]["state"] in states.RUN_FINAL:
            return dict(body["run"])
        assert time.monotonic() < deadline, f"run still {body['run']['state']}: {body}"
        await asyncio.sleep(0.1)


async def step_log(jp_fetch: Any, run_id: str, step_id: str, token: str) -> str:
    """A step's whole log, read through the API."""
    status, body = await call_api(
        jp_fetch,
        "GET",
        f"pipeline-runs/{run_id}/steps/{step_id}/logs",
        token,
        params={"since": "0"},
    )
    assert status == 200, body
    return str(body["text"])


def header_users() -> type:
    """tests/auth's multi-user identity provider (``token <name>-token`` is ``name``; the
    server's own token is "admin"); its folder is on sys.path only when pytest collected
    tests/auth, so it is found here."""
    folder = str(Path(__file__).resolve().parents[1] / "auth")
    if folder not in sys.path:
        sys.path.append(folder)
    provider: type = importlib.import_module("users_identity").HeaderUsers
    return provider


# -- steps shared by tests (module level: their source is shipped to the runner) -----------
@mlops.step(cache=False)
def naps(seconds: float) -> None:
    import time

    time.sleep(seconds)


@mlops.pipeline
def nap_pipeline(seconds: float = 60.0):
    naps(seconds=seconds)
