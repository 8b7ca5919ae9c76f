"""``mlops.pipelines.schedule(...)``: recurring pipeline runs from a cell.

Kubeflow Pipelines calls these recurring runs (``kfp.Client().create_recurring_run``);
here a schedule is a pipeline spec, its arguments and a cron expression (UTC) kept by a
jupyter-mlops server, whose scheduler starts a run at every fire time.

Only a server fires schedules, so these calls need the tracking URI to be a server's URL
(kernels started by the server have it). With a store URI (the embedded SQLite default,
or PostgreSQL) nothing would ever fire a schedule written into the store: the calls
raise ``InvalidParameter`` (field ``tracking_uri``) saying so instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, cast

from ...client.uri import resolve_tracking_uri, scheme_of
from ...errors import InvalidParameter
from .declare_only import declare
from .submit import PipelineRunHandle, _connection, _RestConnection
from .tracing import Pipeline

__all__ = ["PipelineSchedule", "get_schedule", "list_schedules", "schedule"]

MAX_RUNS = 200  # the server's page limit


class PipelineSchedule:
    """A recurring run: ``cron`` (UTC), ``policy`` (``skip`` or ``queue`` while the last
    run still runs), ``enabled``, ``next_fire_time``, ``last_run``; ``pause()``,
    ``resume()``, ``delete()`` and ``runs()`` (the runs it started)."""

    def __init__(self, connection: _RestConnection, document: dict[str, Any]) -> None:
        self._connection = connection
        self._document = document

    def __repr__(self) -> str:
        when = "paused" if not self.enabled else f"next {self.next_fire_time:%Y-%m-%d %H:%M} UTC"
        return f"<PipelineSchedule {self.schedule_id} {self.name!r} {self.cron!r} {when}>"

    # -- fields (as last read; refresh() reads them again) ----------------------------------
    @property
    def schedule_id(self) -> str:
        return str(self._document["schedule_id"])

    @property
    def name(self) -> str:
        return str(self._document["name"])

    @property
    def pipeline_name(self) -> str:
        return str(self._document.get("pipeline_name", ""))

    @property
    def owner(self) -> str:
        return str(self._document["owner"])

    @property
    def cron(self) -> str:
        return str(self._document["cron"])

    @property
    def policy(self) -> str:
        return str(self._document["policy"])

    @property
    def enabled(self) -> bool:
        return bool(self._document["enabled"])

    @property
    def backend(self) -> str:
        return str(self._document["backend"])

    @property
    def arguments(self) -> dict[str, Any]:
        return dict(self._document.get("arguments") or {})

    @property
    def queued(self) -> int:
        """Fire times waiting for the running run to end (policy ``queue``)."""
        return int(self._document.get("queued") or 0)

    @property
    def next_fire_time(self) -> datetime | None:
        """When the server starts the next run (UTC); None while paused."""
        if not self.enabled:
            return None
        return _utc(self._document["next_fire_time"])

    @property
    def created_time(self) -> datetime:
        return _utc(self._document["created_time"])

    @property
    def last_run_id(self) -> str | None:
        value = self._document.get("last_run_id")
        return None if value is None else str(value)

    @property
    def last_run(self) -> PipelineRunHandle | None:
        """The run it started last, or None before its first fire time."""
        run_id = self.last_run_id
        if run_id is None:
            return None
        return PipelineRunHandle(self._connection, self._connection.get(run_id))

    # -- actions ----------------------------------------------------------------------------
    def refresh(self) -> PipelineSchedule:
        self._document = self._connection.get_schedule(self.schedule_id)
        return self

    def pause(self) -> PipelineSchedule:
        """Stop starting runs (runs already started go on)."""
        self._document = self._connection.update_schedule(self.schedule_id, {"enabled": False})
        return self

    def resume(self) -> PipelineSchedule:
        """Start runs again from the next fire time after now (missed ones are not replayed)."""
        self._document = self._connection.update_schedule(self.schedule_id, {"enabled": True})
        return self

    def delete(self) -> None:
        """Delete the schedule; the runs it started stay."""
        self._connection.delete_schedule(self.schedule_id)

    def runs(self, max_results: int = 50) -> list[PipelineRunHandle]:
        """The runs this schedule started, newest first (at most ``max_results``, <= 200)."""
        if not 1 <= max_results <= MAX_RUNS:
            raise InvalidParameter(f"max_results must be 1..{MAX_RUNS}", field="max_results")
        return [
            PipelineRunHandle(self._connection, document)
            for document in self._connection.list_runs(self.schedule_id, max_results)
        ]


def schedule(
    pipeline: Pipeline | Mapping[str, Any],
    cron: str,
    arguments: Mapping[str, Any] | None = None,
    *,
    name: str | None = None,
    policy: str = "skip",
    backend: str | None = None,
    experiment: str | None = None,
    enabled: bool = True,
) -> PipelineSchedule:
    """Run ``pipeline`` (a ``@pipeline`` or a compiled spec) with ``arguments`` at every
    time ``cron`` (UTC, e.g. ``"0 * * * *"``: every hour) names.

    ``policy``: ``skip`` (default) starts no run while the last one still runs;
    ``queue`` starts it once that one ends. ``name`` defaults to the pipeline's name,
    ``backend`` to the server's, ``experiment`` to "Pipelines". ``enabled=False`` creates
    it paused. The server checks the spec, the arguments and the cron expression now: a
    bad one raises ``InvalidParameter`` naming it (``cron``, ``arguments.lr``, ...).
    """
    spec = pipeline.compile() if isinstance(pipeline, Pipeline) else dict(pipeline)
    declare("schedule", spec)  # a file read for its pipelines stops here, having run nothing
    body: dict[str, Any] = {
        "spec": spec,
        "cron": cron,
        "arguments": dict(arguments or {}),
        "policy": policy,
        "enabled": enabled,
    }
    for key, value in (("name", name), ("backend", backend), ("experiment", experiment)):
        if value is not None:
            body[key] = value
    connection = _server_connection()
    return PipelineSchedule(connection, connection.create_schedule(body))


def list_schedules() -> list[PipelineSchedule]:
    """Every schedule on the server (everybody's), newest first."""
    connection = _server_connection()
    return [PipelineSchedule(connection, document) for document in connection.list_schedules()]


def get_schedule(schedule_id: str | int) -> PipelineSchedule:
    """A schedule by id."""
    connection = _server_connection()
    return PipelineSchedule(connection, connection.get_schedule(str(schedule_id)))


def _server_connection() -> _RestConnection:
    uri, _ = resolve_tracking_uri()
    # Checked before opening anything: a store connection would reconcile runs first.
    if scheme_of(uri) != "rest":
        raise InvalidParameter(
            f"pipeline schedules need a jupyter-mlops server to fire them, but the tracking "
            f"URI {uri!r} is a store: set it to the server's URL "
            "(mlops.set_tracking_uri('http://host:8888/', token=...); kernels started by the "
            "server have it already), or submit runs yourself with mlops.pipelines.submit",
            field="tracking_uri",
        )
    return cast(_RestConnection, _connection())  # a REST URI gets a REST connection


def _utc(milliseconds: int) -> datetime:
    return datetime.fromtimestamp(milliseconds / 1000, tz=timezone.utc)
