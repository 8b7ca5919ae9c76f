"""Helpers of the pipeline tests: a pipeline service with the local backend on a
temporary SQLite store and artifact root, as the server wires it."""

from __future__ import annotations

import getpass
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traitlets.config import Config

from jupyter_mlops.pipelines import states
from jupyter_mlops.pipelines.backends.base import BackendSettings
from jupyter_mlops.pipelines.backends.local import LocalBackend
from jupyter_mlops.pipelines.engine import RunEngine
from jupyter_mlops.pipelines.entities import PipelineRun
from jupyter_mlops.pipelines.service import PipelineService
from jupyter_mlops.pipelines.store.sql_store import SqlPipelineStore
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
    MlopsExtension traits (a backend, its namespace...), ``server`` ServerApp ones."""
    return Config(
        {
            "ServerApp": {
                "jpserver_extensions": {"jupyter_mlops": True, "jupyter_server_terminals": False},
                "allow_unauthenticated_access": False,
                **(server or {}),
            },
            "MlopsExtension": {
                "store_uri": f"sqlite:///{tmp_path / 'store' / 'mlops.db'}",
                "artifact_root": str(tmp_path / "artifacts"),
                "max_workers": 2,
                **mlops,
            },
        }
    )
