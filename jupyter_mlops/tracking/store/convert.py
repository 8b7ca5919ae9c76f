"""Row -> entity conversion: the only place that knows both shapes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table, select

from ..entities import Experiment, LifecycleStage, RunInfo, RunStatus
from . import models

# Below SQLite's and psycopg's limits on bound parameters per statement.
IN_CHUNK = 5000

_e = models.experiments.c
_r = models.runs.c

EXPERIMENT_COLUMNS = (
    _e.experiment_id,
    _e.name,
    _e.owner,
    _e.description,
    _e.artifact_location,
    _e.lifecycle_stage,
    _e.creation_time,
    _e.last_update_time,
)

RUN_COLUMNS = (
    _r.run_id,
    _r.name,
    _r.experiment_id,
    _r.user_id,
    _r.status,
    _r.start_time,
    _r.end_time,
    _r.parent_run_id,
    _r.lifecycle_stage,
    _r.artifact_uri,
)


def experiment(row: Sequence[Any], tags: dict[str, str]) -> Experiment:
    eid, name, owner, description, location, stage, created, updated = row[:8]
    return Experiment(
        experiment_id=str(eid),
        name=name,
        owner=owner,
        description=description,
        artifact_location=location,
        lifecycle_stage=LifecycleStage(stage),
        creation_time=created,
        last_update_time=updated,
        tags=tags,
    )


def run_info(row: Sequence[Any]) -> RunInfo:
    run_id, name, eid, user, status, start, end, parent, stage, uri = row[:10]
    return RunInfo(
        run_id=run_id,
        run_name=name,
        experiment_id=str(eid),
        user=user,
        status=RunStatus(status),
        start_time=start,
        end_time=end,
        parent_run_id=parent,
        lifecycle_stage=LifecycleStage(stage),
        artifact_uri=uri,
    )


def experiment_tags(conn: Connection, experiment_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    t = models.experiment_tags.c
    out: dict[int, dict[str, str]] = {eid: {} for eid in experiment_ids}
    query = select(t.experiment_id, t.key, t.value).where(t.experiment_id.in_(experiment_ids))
    for eid, key, value in conn.execute(query):
        out[eid][key] = value
    return out


def key_values(conn: Connection, table: Table, run_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """Params or tags of the given runs, in one query."""
    c = table.c
    out: dict[str, dict[str, str]] = {r: {} for r in run_ids}
    for part in chunked(run_ids):
        for run_id, key, value in conn.execute(
            select(c.run_id, c.key, c.value).where(c.run_id.in_(part))
        ):
            out[run_id][key] = value
    return out


def chunked(items: Sequence[str]) -> Iterator[Sequence[str]]:
    """Slices small enough for one IN list."""
    for start in range(0, len(items), IN_CHUNK):
        yield items[start : start + IN_CHUNK]
