"""``mlops.pipelines.submit(...)``: run a pipeline from a cell and follow it.

Where it runs depends on the tracking URI, as for tracking: in a kernel started by a
jupyter-mlops server (``JUPYTER_MLOPS_TRACKING_URI=http://...``) the run is submitted
over REST and the server runs it on its configured backend; with a store URI (the
embedded SQLite default, or PostgreSQL) the run is driven by this process with the
``local`` backend.
"""

from __future__ import annotations

import atexit
import getpass
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ...client.uri import default_client_artifact_root, resolve_tracking_uri, scheme_of
from ...errors import InvalidParameter
from ..spec import states as s
from .declare_only import declare
from .tracing import Pipeline

__all__ = ["PipelineRunHandle", "StepInfo", "get_run", "submit"]


@dataclass(frozen=True)
class StepInfo:
    """One step of a run, as last read."""

    step_id: str
    state: str
    message: str
    cached: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    tracking_run_id: str | None
    attempt: int


class _Connection(Protocol):
    def submit(
        self,
        spec: dict[str, Any],
        arguments: dict[str, Any],
        backend: str | None,
        experiment: str | None,
    ) -> dict[str, Any]: ...
    def get(self, run_id: str) -> dict[str, Any]: ...
    def cancel(self, run_id: str) -> dict[str, Any]: ...
    def retry(self, run_id: str) -> dict[str, Any]: ...
    def logs(self, run_id: str, step_id: str, since: int) -> dict[str, Any]: ...


class PipelineRunHandle:
    """A submitted pipeline run. ``wait()`` blocks until it ends and returns its state
    (``SUCCEEDED``, ``FAILED`` or ``CANCELED``); ``outputs`` and ``steps`` say what
    happened."""

    def __init__(self, connection: _Connection, document: dict[str, Any]) -> None:
        self._connection = connection
        self._document = document

    def __repr__(self) -> str:
        return f"<PipelineRun {self.name} {self.run_id} {self.state}>"

    @property
    def run_id(self) -> str:
        return str(self._document["run_id"])

    @property
    def name(self) -> str:
        return str(self._document["name"])

    @property
    def tracking_run_id(self) -> str | None:
        return self._document.get("tracking_run_id")

    def refresh(self) -> PipelineRunHandle:
        self._document = self._connection.get(self.run_id)
        return self

    @property
    def state(self) -> str:
        if self._document["state"] not in s.RUN_FINAL:
            self.refresh()
        return str(self._document["state"])

    @property
    def message(self) -> str:
        return str(self.refresh()._document.get("message", ""))

    def wait(self, timeout: float | None = None, poll_interval: float = 0.1) -> str:
        """Block until the run ends; its final state. TimeoutError after ``timeout`` s."""
        deadline = None if timeout is None else time.monotonic() + timeout
        # Quick first looks (short pipelines end in well under a second), then back off to
        # poll_interval; never a busy loop.
        cap = max(poll_interval, 0.01)
        interval = min(cap, 0.05)
        while True:
            state = self.state
            if state in s.RUN_FINAL:
                return state
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"pipeline run {self.run_id} is still {state} after {timeout}s")
            time.sleep(interval)
            interval = min(interval * 1.5, cap)

    @property
    def outputs(self) -> dict[str, Any]:
        """The pipeline's outputs (empty until it succeeded)."""
        self.state  # noqa: B018 - refreshes an unfinished run
        return dict(self._document.get("outputs") or {})

    @property
    def steps(self) -> dict[str, StepInfo]:
        """Every step instance by id (``train``, ``train[0]`` for loop iterations)."""
        if "steps" not in self._document:  # a handle made from a listing, which has none
            self.refresh()
        self.state  # noqa: B018
        return {
            step["step_id"]: StepInfo(
                step_id=step["step_id"],
                state=step["state"],
                message=step.get("message", ""),
                cached=bool(step.get("cached")),
                inputs=step.get("inputs") or {},
                outputs=step.get("outputs") or {},
                tracking_run_id=step.get("tracking_run_id"),
                attempt=int(step.get("attempt") or 0),
            )
            for step in self._document.get("steps") or []
        }

    def cancel(self) -> str:
        self._document = self._connection.cancel(self.run_id)
        return str(self._document["state"])

    def retry(self) -> PipelineRunHandle:
        """Retry from failure: re-run the failed, skipped and canceled steps."""
        self._document = self._connection.retry(self.run_id)
        return self

    def logs(self, step_id: str) -> str:
        """The whole log of a step so far."""
        parts: list[str] = []
        since = 0
        while True:
            chunk = self._connection.logs(self.run_id, step_id, since)
            parts.append(chunk["text"])
            if chunk["next"] == since:
                break
            since = chunk["next"]
        return "".join(parts)


def submit(
    pipeline: Pipeline | Mapping[str, Any],
    arguments: Mapping[str, Any] | None = None,
    *,
    backend: str | None = None,
    experiment: str | None = None,
) -> PipelineRunHandle:
    """Run ``pipeline`` (a ``@pipeline`` or a compiled spec) with ``arguments``.

    ``backend`` is ``local``, ``kubernetes`` or ``argo`` (default: the server's
    configured backend; ``local`` without a server). ``experiment`` names the tracking
    experiment that gets the pipeline's parent run (default "Pipelines").
    """
    spec = pipeline.compile() if isinstance(pipeline, Pipeline) else dict(pipeline)
    declare("submit", spec)  # a file read for its pipelines stops here, having run nothing
    connection = _connection()
    document = connection.submit(spec, dict(arguments or {}), backend, experiment)
    return PipelineRunHandle(connection, document)


def get_run(run_id: str) -> PipelineRunHandle:
    """A handle on an existing pipeline run."""
    connection = _connection()
    return PipelineRunHandle(connection, connection.get(run_id))


# -- connections -----------------------------------------------------------------------------
_lock = threading.Lock()
_connections: dict[tuple[str, str | None], _Connection] = {}


def _connection() -> _Connection:
    uri, token = resolve_tracking_uri()
    with _lock:
        connection = _connections.get((uri, token))
        if connection is None:
            if scheme_of(uri) == "rest":
                connection = _RestConnection(uri, token)
            else:
                connection = _LocalConnection(uri, default_client_artifact_root())
            _connections[(uri, token)] = connection
        return connection


class _RestConnection:
    """A jupyter-mlops server's pipeline operations, run from their declarations."""

    def __init__(self, uri: str, token: str | None) -> None:
        from ...client.rest_session import RestSession

        self._session = RestSession(uri, token)

    def _call(self, operation_id: str, **arguments: Any) -> Any:
        return self._session.call(operation_id, arguments)

    def submit(
        self,
        spec: dict[str, Any],
        arguments: dict[str, Any],
        backend: str | None,
        experiment: str | None,
    ) -> dict[str, Any]:
        run: dict[str, Any] = self._call(
            "submitPipelineRun",
            spec=spec,
            arguments=arguments,
            backend=backend,
            experiment=experiment,
        )
        return run

    def get(self, run_id: str) -> dict[str, Any]:
        run: dict[str, Any] = self._call("getPipelineRun", run_id=run_id)
        return run

    def cancel(self, run_id: str) -> dict[str, Any]:
        run: dict[str, Any] = self._call("cancelPipelineRun", run_id=run_id)
        return run

    def retry(self, run_id: str) -> dict[str, Any]:
        run: dict[str, Any] = self._call("retryPipelineRun", run_id=run_id)
        return run

    def logs(self, run_id: str, step_id: str, since: int) -> dict[str, Any]:
        chunk: dict[str, Any] = self._call(
            "getPipelineStepLogs", run_id=run_id, step_id=step_id, since=since
        )
        return chunk

    def list_runs(self, schedule_id: str, max_results: int) -> list[dict[str, Any]]:
        page = self._call("listPipelineRuns", schedule_id=schedule_id, max_results=max_results)
        runs: list[dict[str, Any]] = page.items
        return runs

    # -- schedules (only a server fires them) ----------------------------------------------
    def create_schedule(self, body: dict[str, Any]) -> dict[str, Any]:
        schedule: dict[str, Any] = self._call("createPipelineSchedule", **body)
        return schedule

    def list_schedules(self) -> list[dict[str, Any]]:
        schedules: list[dict[str, Any]] = self._call("listPipelineSchedules")
        return schedules

    def get_schedule(self, schedule_id: str) -> dict[str, Any]:
        schedule: dict[str, Any] = self._call("getPipelineSchedule", schedule_id=schedule_id)
        return schedule

    def update_schedule(self, schedule_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        schedule: dict[str, Any] = self._call(
            "updatePipelineSchedule", schedule_id=schedule_id, **changes
        )
        return schedule

    def delete_schedule(self, schedule_id: str) -> None:
        self._call("deletePipelineSchedule", schedule_id=schedule_id)


class _LocalConnection:
    """Runs pipelines in this process on the store at ``uri`` (the local backend)."""

    def __init__(self, uri: str, artifact_root: Path) -> None:
        from ...registry.logged_models.service import LoggedModelService
        from ...registry.logged_models.store import SqlLoggedModelStore
        from ...tracking.artifacts import LocalArtifactRepository
        from ...tracking.service import TrackingService
        from ...tracking.store.sql_store import SqlTrackingStore
        from ..server.backends.base import BackendSettings
        from ..server.backends.local import LocalBackend
        from ..server.engine import RunEngine
        from ..server.service import PipelineService
        from ..server.store.sql_store import SqlPipelineStore

        self.user = getpass.getuser()
        tracking_store = SqlTrackingStore(uri)
        tracking = TrackingService(
            tracking_store, LocalArtifactRepository(artifact_root), (self.user,)
        )
        # Runs name the logged models they used and made: tracking asks their owner.
        logged_models = SqlLoggedModelStore(tracking_store.database)
        tracking.use_logged_models(LoggedModelService(logged_models, tracking))
        engine = RunEngine(SqlPipelineStore(tracking_store.database), tracking)
        self.backend = LocalBackend(
            engine, BackendSettings(tracking_uri=uri, artifact_root=artifact_root, parallelism=4)
        )
        self.service = PipelineService(engine, {"local": self.backend}, "local", (self.user,))
        # Runs still going when the interpreter exits are failed, their steps killed.
        atexit.register(self.backend.close)
        # Runs left RUNNING by a process of ours that died are failed now.
        self.backend.reconcile()

    def submit(
        self,
        spec: dict[str, Any],
        arguments: dict[str, Any],
        backend: str | None,
        experiment: str | None,
    ) -> dict[str, Any]:
        if backend not in (None, "local"):
            raise InvalidParameter(
                f"backend {backend!r} needs a jupyter-mlops server: set the tracking URI to "
                "the server's URL (kernels started by it have it already)",
                field="backend",
            )
        run = self.service.submit(
            self.user, spec, arguments, backend="local", experiment=experiment
        )
        return run.to_dict()

    def get(self, run_id: str) -> dict[str, Any]:
        return self.service.get_run(self.user, run_id).to_dict()

    def cancel(self, run_id: str) -> dict[str, Any]:
        self.service.cancel(self.user, run_id)
        deadline = time.monotonic() + 30
        document = self.get(run_id)
        while document["state"] not in s.RUN_FINAL and time.monotonic() < deadline:
            time.sleep(0.05)
            document = self.get(run_id)
        return document

    def retry(self, run_id: str) -> dict[str, Any]:
        return self.service.retry(self.user, run_id).to_dict()

    def logs(self, run_id: str, step_id: str, since: int) -> dict[str, Any]:
        return self.service.step_logs(self.user, run_id, step_id, since)
