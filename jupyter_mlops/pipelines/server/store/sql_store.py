"""SqlPipelineStore: pipelines, runs, step runs and schedules on the shared Database."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Collection, Iterable
from typing import Any, cast

from sqlalchemy import Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ....database.engine import Database
from ....errors import AlreadyExists, InvalidParameter, NotFound
from ...spec.entities import PipelineRun, SavedPipeline, Schedule, StepRun
from .models import SqlPipeline, SqlPipelineRun, SqlSchedule, SqlStepRun

_RUNS = cast(Table, SqlPipelineRun.__table__)
_STEPS = cast(Table, SqlStepRun.__table__)
_PIPELINES = cast(Table, SqlPipeline.__table__)
_SCHEDULES = cast(Table, SqlSchedule.__table__)

_RUN_JSON = ("spec", "arguments", "loops", "outputs")
_STEP_JSON = ("inputs", "outputs")


def now_ms() -> int:
    return int(time.time() * 1000)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class SqlPipelineStore:
    """The pipeline tables. Thread-safe: every method is one unit of work."""

    def __init__(self, database: Database | str) -> None:
        self._owns_database = isinstance(database, str)
        self._db = Database(database) if isinstance(database, str) else database
        self._db.upgrade()

    @property
    def database(self) -> Database:
        return self._db

    def close(self) -> None:
        if self._owns_database:
            self._db.dispose()

    # -- runs ------------------------------------------------------------------------------
    def create_run(self, run: PipelineRun, steps: Iterable[StepRun]) -> None:
        row = {key: getattr(run, key) for key in _run_columns()}
        for key in _RUN_JSON:
            row[key] = _dumps(row[key])
        with self._db.write() as conn:
            conn.execute(insert(_RUNS).values(**row))
            step_rows = [_step_row(step) for step in steps]
            if step_rows:
                conn.execute(insert(_STEPS), step_rows)

    def get_run(self, run_id: str, *, with_steps: bool = True) -> PipelineRun:
        with self._db.read() as conn:
            row = conn.execute(select(_RUNS).where(_RUNS.c.run_id == run_id)).mappings().first()
            if row is None:
                raise NotFound(f"Pipeline run {run_id!r} does not exist", field="run_id")
            run = _run_entity(row)
            if with_steps:
                rows = conn.execute(
                    select(_STEPS).where(_STEPS.c.run_id == run_id).order_by(_STEPS.c.id)
                ).mappings()
                run.steps = [_step_entity(r) for r in rows]
        return run

    def list_runs(
        self,
        *,
        name: str | None = None,
        states: Collection[str] = (),
        schedule_id: int | None = None,
        max_results: int = 50,
        page_token: str | None = None,
    ) -> tuple[list[PipelineRun], str | None]:
        """Newest first, ``max_results`` at a time (keyset paging)."""
        query = select(_RUNS)
        if name:
            query = query.where(_RUNS.c.name == name)
        if states:
            query = query.where(_RUNS.c.state.in_(list(states)))
        if schedule_id is not None:
            query = query.where(_RUNS.c.schedule_id == schedule_id)
        if page_token:
            created, run_id = _decode_token(page_token)
            query = query.where(
                or_(
                    _RUNS.c.created_time < created,
                    and_(_RUNS.c.created_time == created, _RUNS.c.run_id < run_id),
                )
            )
        query = query.order_by(_RUNS.c.created_time.desc(), _RUNS.c.run_id.desc()).limit(
            max_results + 1
        )
        with self._db.read() as conn:
            rows = list(conn.execute(query).mappings())
        runs = [_run_entity(row) for row in rows[:max_results]]
        token = None
        if len(rows) > max_results:
            last = runs[-1]
            token = _encode_token(last.created_time, last.run_id)
        return runs, token

    def run_ids_in_states(self, states: Collection[str], backend: str | None = None) -> list[str]:
        query = select(_RUNS.c.run_id).where(_RUNS.c.state.in_(list(states)))
        if backend is not None:
            query = query.where(_RUNS.c.backend == backend)
        with self._db.read() as conn:
            return [row[0] for row in conn.execute(query)]

    def update_run(
        self, run_id: str, *, expected_states: Collection[str] | None = None, **fields: Any
    ) -> bool:
        """Change a run; with ``expected_states``, only if it is in one of them.
        Returns whether a row changed."""
        values = dict(fields)
        for key in _RUN_JSON:
            if key in values:
                values[key] = _dumps(values[key])
        values["updated_time"] = now_ms()
        query = update(_RUNS).where(_RUNS.c.run_id == run_id)
        if expected_states is not None:
            query = query.where(_RUNS.c.state.in_(list(expected_states)))
        with self._db.write() as conn:
            return bool(conn.execute(query.values(**values)).rowcount)

    def delete_run(self, run_id: str) -> None:
        with self._db.write() as conn:
            conn.execute(delete(_STEPS).where(_STEPS.c.run_id == run_id))
            conn.execute(delete(_RUNS).where(_RUNS.c.run_id == run_id))

    # -- steps -----------------------------------------------------------------------------
    def add_steps(self, steps: Iterable[StepRun]) -> None:
        rows = [_step_row(step) for step in steps]
        if rows:
            with self._db.write() as conn:
                conn.execute(insert(_STEPS), rows)

    def delete_steps(self, run_id: str, step_ids: Collection[str]) -> None:
        if step_ids:
            with self._db.write() as conn:
                conn.execute(
                    delete(_STEPS).where(
                        _STEPS.c.run_id == run_id, _STEPS.c.step_id.in_(list(step_ids))
                    )
                )

    def update_step(
        self,
        run_id: str,
        step_id: str,
        *,
        expected_states: Collection[str] | None = None,
        **fields: Any,
    ) -> bool:
        values = dict(fields)
        for key in _STEP_JSON:
            if key in values:
                values[key] = _dumps(values[key])
        values["updated_time"] = now_ms()
        query = update(_STEPS).where(_STEPS.c.run_id == run_id, _STEPS.c.step_id == step_id)
        if expected_states is not None:
            query = query.where(_STEPS.c.state.in_(list(expected_states)))
        with self._db.write() as conn:
            return bool(conn.execute(query.values(**values)).rowcount)

    def update_steps_in_states(self, run_id: str, states: Collection[str], **fields: Any) -> int:
        values = {**fields, "updated_time": now_ms()}
        with self._db.write() as conn:
            result = conn.execute(
                update(_STEPS)
                .where(_STEPS.c.run_id == run_id, _STEPS.c.state.in_(list(states)))
                .values(**values)
            )
            return int(result.rowcount)

    def get_step(self, run_id: str, step_id: str) -> StepRun:
        with self._db.read() as conn:
            row = (
                conn.execute(
                    select(_STEPS).where(_STEPS.c.run_id == run_id, _STEPS.c.step_id == step_id)
                )
                .mappings()
                .first()
            )
        if row is None:
            raise NotFound(f"Pipeline run {run_id!r} has no step {step_id!r}", field="step_id")
        return _step_entity(row)

    def find_cached(self, cache_key: str) -> StepRun | None:
        """The newest successful step run with ``cache_key``."""
        with self._db.read() as conn:
            row = (
                conn.execute(
                    select(_STEPS)
                    .where(_STEPS.c.cache_key == cache_key, _STEPS.c.state == "SUCCEEDED")
                    .order_by(_STEPS.c.id.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
        return None if row is None else _step_entity(row)

    # -- saved pipelines -------------------------------------------------------------------
    def save_pipeline(
        self, owner: str, name: str, description: str, spec: dict[str, Any], source_path: str | None
    ) -> SavedPipeline:
        now = now_ms()
        with self._db.write() as conn:
            existing = conn.execute(
                select(_PIPELINES.c.pipeline_id).where(
                    _PIPELINES.c.owner == owner, _PIPELINES.c.name == name
                )
            ).first()
            values = {
                "description": description,
                "spec": _dumps(spec),
                "source_path": source_path,
                "updated_time": now,
            }
            if existing is None:
                conn.execute(
                    insert(_PIPELINES).values(owner=owner, name=name, created_time=now, **values)
                )
            else:
                conn.execute(
                    update(_PIPELINES)
                    .where(_PIPELINES.c.pipeline_id == existing[0])
                    .values(**values)
                )
        return self.get_pipeline_by_name(owner, name)

    def get_pipeline_by_name(self, owner: str, name: str) -> SavedPipeline:
        with self._db.read() as conn:
            row = (
                conn.execute(
                    select(_PIPELINES).where(_PIPELINES.c.owner == owner, _PIPELINES.c.name == name)
                )
                .mappings()
                .first()
            )
        if row is None:
            raise NotFound(f"Pipeline {name!r} does not exist", field="name")
        return _pipeline_entity(row)

    def get_pipeline(self, pipeline_id: int) -> SavedPipeline:
        with self._db.read() as conn:
            row = (
                conn.execute(select(_PIPELINES).where(_PIPELINES.c.pipeline_id == pipeline_id))
                .mappings()
                .first()
            )
        if row is None:
            raise NotFound(f"Pipeline {pipeline_id} does not exist", field="pipeline_id")
        return _pipeline_entity(row)

    def list_pipelines(self, max_results: int = 200) -> list[SavedPipeline]:
        with self._db.read() as conn:
            rows = conn.execute(
                select(_PIPELINES).order_by(_PIPELINES.c.updated_time.desc()).limit(max_results)
            ).mappings()
            return [_pipeline_entity(row) for row in rows]

    def delete_pipeline(self, pipeline_id: int) -> None:
        with self._db.write() as conn:
            conn.execute(delete(_PIPELINES).where(_PIPELINES.c.pipeline_id == pipeline_id))

    # -- schedules -------------------------------------------------------------------------
    def create_schedule(self, **fields: Any) -> Schedule:
        values = dict(fields)
        values["spec"] = _dumps(values["spec"])
        values["arguments"] = _dumps(values["arguments"])
        values.setdefault("created_time", now_ms())
        values.setdefault("queued", 0)
        try:
            with self._db.write() as conn:
                result = conn.execute(insert(_SCHEDULES).values(**values))
                key = result.inserted_primary_key
                assert key is not None
                schedule_id = int(key[0])
        except IntegrityError as exc:  # pragma: no cover - no unique keys today
            raise AlreadyExists(str(exc.orig), field="name") from None
        return self.get_schedule(schedule_id)

    def get_schedule(self, schedule_id: int) -> Schedule:
        with self._db.read() as conn:
            row = (
                conn.execute(select(_SCHEDULES).where(_SCHEDULES.c.schedule_id == schedule_id))
                .mappings()
                .first()
            )
        if row is None:
            raise NotFound(f"Schedule {schedule_id} does not exist", field="schedule_id")
        return _schedule_entity(row)

    def list_schedules(self, max_results: int = 200) -> list[Schedule]:
        with self._db.read() as conn:
            rows = conn.execute(
                select(_SCHEDULES).order_by(_SCHEDULES.c.schedule_id.desc()).limit(max_results)
            ).mappings()
            return [_schedule_entity(row) for row in rows]

    def due_schedules(self, now: int) -> list[Schedule]:
        with self._db.read() as conn:
            rows = conn.execute(
                select(_SCHEDULES).where(
                    _SCHEDULES.c.enabled.is_(True),
                    or_(_SCHEDULES.c.next_fire_time <= now, _SCHEDULES.c.queued > 0),
                )
            ).mappings()
            return [_schedule_entity(row) for row in rows]

    def update_schedule(self, schedule_id: int, **fields: Any) -> None:
        values = dict(fields)
        for key in ("spec", "arguments"):
            if key in values:
                values[key] = _dumps(values[key])
        with self._db.write() as conn:
            result = conn.execute(
                update(_SCHEDULES).where(_SCHEDULES.c.schedule_id == schedule_id).values(**values)
            )
        if not result.rowcount:
            raise NotFound(f"Schedule {schedule_id} does not exist", field="schedule_id")

    def delete_schedule(self, schedule_id: int) -> None:
        with self._db.write() as conn:
            conn.execute(delete(_SCHEDULES).where(_SCHEDULES.c.schedule_id == schedule_id))

    def count_runs_of_schedule(self, schedule_id: int, states: Collection[str]) -> int:
        with self._db.read() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(_RUNS)
                    .where(_RUNS.c.schedule_id == schedule_id, _RUNS.c.state.in_(list(states)))
                ).scalar_one()
            )


# -- conversions ----------------------------------------------------------------------------
def _run_columns() -> list[str]:
    return [column.name for column in _RUNS.columns]


def _run_entity(row: Any) -> PipelineRun:
    values = dict(row)
    for key in _RUN_JSON:
        values[key] = json.loads(values[key])
    return PipelineRun(**values)


def _step_row(step: StepRun) -> dict[str, Any]:
    row = step.to_dict()
    for key in _STEP_JSON:
        row[key] = _dumps(row[key])
    row["updated_time"] = row.get("updated_time") or now_ms()
    return row


def _step_entity(row: Any) -> StepRun:
    values = dict(row)
    values.pop("id", None)
    for key in _STEP_JSON:
        values[key] = json.loads(values[key])
    return StepRun(**values)


def _pipeline_entity(row: Any) -> SavedPipeline:
    values = dict(row)
    values["spec"] = json.loads(values["spec"])
    values["pipeline_id"] = str(values["pipeline_id"])
    return SavedPipeline(**values)


def _schedule_entity(row: Any) -> Schedule:
    values = dict(row)
    values["spec"] = json.loads(values["spec"])
    values["arguments"] = json.loads(values["arguments"])
    values["schedule_id"] = str(values["schedule_id"])
    values["enabled"] = bool(values["enabled"])
    return Schedule(**values)


def _encode_token(created: int, run_id: str) -> str:
    return base64.urlsafe_b64encode(_dumps([created, run_id]).encode()).decode()


def _decode_token(token: str) -> tuple[int, str]:
    try:
        created, run_id = json.loads(base64.urlsafe_b64decode(token.encode()))
        return int(created), str(run_id)
    except (ValueError, TypeError, RecursionError):  # RecursionError: "[[[[..." deep
        raise InvalidParameter(
            "page_token is not one this server issued", field="page_token"
        ) from None
