"""The tracking store on SQLAlchemy 2: SQLite by default, PostgreSQL for teams.

Every public method is one unit of work (``Database.read`` / ``Database.write``): one
connection, one transaction, nothing held between calls, so the store is safe to share
between threads. Statements are Core constructs over the ORM tables; rows are turned
into entities before they leave.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ...database.engine import Database
from ...database.paging import check_max_results, decode_token, encode_token, fingerprint
from ...database.unique_names import insert_named, name_taken_as
from ...errors import AlreadyExists, InvalidParameter, InvalidState, NotFound
from ..entities import (
    DATASET_CONTEXT_TAG,
    NO_INPUTS,
    Dataset,
    DatasetInput,
    DatasetSummary,
    Experiment,
    LifecycleStage,
    LoggedModelRef,
    Metric,
    MetricBucket,
    MetricSummary,
    Page,
    Run,
    RunInfo,
    RunInputs,
    RunStatus,
    ViewType,
    is_external_location,
)
from . import convert, metric_sql, models, search_sql, write_marks
from .base import DEFAULT_EXPERIMENT_ID, TrackingStore
from .gcpause import gc_paused
from .names import generate_run_name

_exp = models.experiments
_exp_tags = models.experiment_tags
_runs = models.runs
_params = models.params
_tags = models.tags
_heartbeats = models.run_heartbeats

ACTIVE = LifecycleStage.ACTIVE.value
DELETED = LifecycleStage.DELETED.value

# Per-call lookups by primary key, built once: constructing a Core select costs more than
# the indexed query itself; the hottest are driver SQL (no compile-cache lookup at all).
_RUN_INFO_SQL = metric_sql.driver_sql(
    "SELECT run_id, name, experiment_id, user_id, status, start_time, end_time, parent_run_id,"
    " lifecycle_stage, artifact_uri FROM runs WHERE run_id = ?"  # convert.RUN_COLUMNS' order
)
_RUN_STAGE_SQL = metric_sql.driver_sql("SELECT lifecycle_stage FROM runs WHERE run_id = ?")
_EXPERIMENT_STAGE_SQL = metric_sql.driver_sql(
    "SELECT lifecycle_stage, artifact_location FROM experiments WHERE experiment_id = ?"
)
_INSERT_RUN_SQL = metric_sql.driver_sql(
    "INSERT INTO runs (run_id, experiment_id, name, status, start_time, end_time, user_id,"
    " parent_run_id, lifecycle_stage, artifact_uri, deleted_with_experiment)"
    " VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?)"
)
_INSERT_TAG_SQL = metric_sql.driver_sql("INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?)")
_PARAMS_OF = "SELECT run_id, key, value FROM params WHERE run_id IN ({})"
_TAGS_OF = "SELECT run_id, key, value FROM tags WHERE run_id IN ({})"
# SQLite builds each run's params (or tags) as one JSON object in C: a Python row per
# param costs more than the query (20 params for each of a few hundred runs).
_PARAMS_JSON_OF = (
    "SELECT run_id, json_group_object(key, value) FROM params WHERE run_id IN ({}) GROUP BY run_id"
)
_TAGS_JSON_OF = (
    "SELECT run_id, json_group_object(key, value) FROM tags WHERE run_id IN ({}) GROUP BY run_id"
)
_METRICS_OF = (
    "SELECT run_id, key, value, timestamp, step, min_value, max_value"
    " FROM latest_metrics WHERE run_id IN ({})"
)
# Everything a page of runs used, in one query: the datasets with their input tags (kind
# 0) and the ids of the logged models used (1), each by the time it was logged. Both
# branches are index lookups by run id (the primary keys). {0} is the IN list of run ids.
# The models' names, and the models a run produced, come from the logged models' own
# domain (TrackingService asks its LoggedModelCatalog): their tables are not ours.
_INPUTS_OF = (
    "SELECT i.run_id, 0, d.name, d.digest, d.source_type, d.source, d.data_schema, d.profile,"
    " i.tags, i.logged_time, d.dataset_id"
    " FROM run_datasets i JOIN datasets d ON d.dataset_id = i.dataset_id"
    " WHERE i.run_id IN ({0})"
    " UNION ALL"
    " SELECT m.run_id, 1, m.model_id, NULL, NULL, NULL, NULL, NULL, NULL, m.logged_time, 0"
    " FROM run_model_inputs m WHERE m.run_id IN ({0})"
    " ORDER BY 2, 10, 11, 3"
)
_RUN_EXPERIMENT_SQL = metric_sql.driver_sql(
    "SELECT experiment_id, lifecycle_stage FROM runs WHERE run_id = ?"
)
_INSERT_DATASET_SQL = metric_sql.driver_sql(
    "INSERT INTO datasets (experiment_id, name, digest, source_type, source, data_schema,"
    " profile, creation_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (experiment_id, name, digest) DO NOTHING"
)
_INSERT_RUN_DATASET_SQL = metric_sql.driver_sql(
    "INSERT INTO run_datasets (run_id, dataset_id, context, tags, logged_time)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, dataset_id) DO NOTHING"
)
_INSERT_MODEL_INPUT_SQL = metric_sql.driver_sql(
    "INSERT INTO run_model_inputs (run_id, model_id, logged_time) VALUES (?, ?, ?)"
    " ON CONFLICT (run_id, model_id) DO NOTHING"
)
_NAN = float("nan")


# PostgreSQL takes the ids once, as one array parameter the branches share: sending (and
# planning) an IN list of a page's ids per branch costs more than running the query.
_INPUTS_OF_PG = _INPUTS_OF.replace("IN ({0})", "= ANY(%(ids)s)")


@lru_cache(maxsize=64)
def _inputs_sql(count: int) -> str:
    """_INPUTS_OF for ``count`` run ids on SQLite (pages come in few sizes; get_run is 1)."""
    return _INPUTS_OF.format(", ".join("?" * count))


def _read_inputs(cursor: Any, dialect: str, run_ids: Sequence[str]) -> list[Any]:
    """The rows of _INPUTS_OF for these runs."""
    if dialect == "postgresql":
        cursor.execute(_INPUTS_OF_PG, {"ids": list(run_ids)})
    else:
        cursor.execute(_inputs_sql(len(run_ids)), (*run_ids, *run_ids))
    rows: list[Any] = cursor.fetchall()
    return rows


def _in_list(sql: str, marks: str, dialect: str) -> str:
    """``sql`` with its IN list of ``?`` marks, in the dialect's paramstyle."""
    return metric_sql.driver_sql(sql.format(marks))[dialect]


_INSERT_PARAM_SQL = metric_sql.driver_sql(
    "INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)"
)
_UPSERT_TAG_SQL = metric_sql.driver_sql(
    "INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?)"
    " ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value"
)


def _now() -> int:
    return int(time.time() * 1000)


def _parse_experiment_id(experiment_id: str) -> int:
    text = str(experiment_id)
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise NotFound(f"No experiment with id {experiment_id!r}")
    return int(text)


def stages(view: ViewType) -> tuple[str, ...]:
    view = ViewType(view)
    if view is ViewType.ACTIVE_ONLY:
        return (ACTIVE,)
    if view is ViewType.DELETED_ONLY:
        return (DELETED,)
    return (ACTIVE, DELETED)


class SqlTrackingStore(TrackingStore):
    """A :class:`TrackingStore` on any SQLAlchemy URI we support.

    ``sqlite:///path/to/mlops.db`` (parent folders are created) or
    ``postgresql+psycopg://user@host/db``. The schema is migrated to the newest revision
    on construction.
    """

    def __init__(self, database: Database | str) -> None:
        # Given a URI, the store owns its engine; given a Database, whoever built it does
        # (the server shares one between the tracking, registry and other stores).
        self._owns_database = isinstance(database, str)
        self._db = Database(database) if isinstance(database, str) else database
        self._db.upgrade()
        self._upsert: Any = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert
        self._density = search_sql.DensityCache()
        self._first_pages: dict[tuple[Any, ...], search_sql.CompiledPage] = {}

    @property
    def database(self) -> Database:
        """The database this store works on, for stores of other domains to share."""
        return self._db

    def close(self) -> None:
        if self._owns_database:
            self._db.dispose()

    # -- experiments -------------------------------------------------------------------
    def create_experiment(
        self,
        name: str,
        owner: str,
        description: str = "",
        tags: Mapping[str, str] | None = None,
        artifact_location: str | None = None,
    ) -> Experiment:
        now = _now()
        taken = f"An experiment named {name!r} already exists"
        with name_taken_as(taken), self._db.write() as conn:
            values = {"owner": owner, "description": description, "lifecycle_stage": ACTIVE}
            times = {"creation_time": now, "last_update_time": now}
            location = {"artifact_location": artifact_location or ""}
            experiment_id = insert_named(conn, _exp, name, {**values, **times, **location}, taken)
            if artifact_location is None:
                artifact_location = str(experiment_id)
                conn.execute(
                    update(_exp)
                    .where(_exp.c.experiment_id == experiment_id)
                    .values(artifact_location=artifact_location)
                )
            if tags:
                conn.execute(
                    insert(_exp_tags),
                    [
                        {"experiment_id": experiment_id, "key": k, "value": v}
                        for k, v in tags.items()
                    ],
                )
        return Experiment(
            experiment_id=str(experiment_id),
            name=name,
            owner=owner,
            description=description,
            artifact_location=artifact_location,
            lifecycle_stage=LifecycleStage.ACTIVE,
            creation_time=now,
            last_update_time=now,
            tags=dict(tags or {}),
        )

    def get_experiment(self, experiment_id: str) -> Experiment:
        eid = _parse_experiment_id(experiment_id)
        with self._db.read() as conn:
            return self._load_experiment(conn, _exp.c.experiment_id == eid, f"id {experiment_id!r}")

    def get_experiment_by_name(self, name: str) -> Experiment:
        with self._db.read() as conn:
            return self._load_experiment(conn, _exp.c.name == name, f"name {name!r}")

    def _load_experiment(self, conn: Connection, where: Any, what: str) -> Experiment:
        row = conn.execute(select(*convert.EXPERIMENT_COLUMNS).where(where)).first()
        if row is None:
            raise NotFound(f"No experiment with {what}")
        return convert.experiment(row, convert.experiment_tags(conn, [row[0]])[row[0]])

    def search_experiments(
        self,
        view: ViewType = ViewType.ACTIVE_ONLY,
        name_like: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> Page[Experiment]:
        check_max_results(max_results)
        c = _exp.c
        query_fp = fingerprint("experiments", ViewType(view).value, name_like)
        query = select(*convert.EXPERIMENT_COLUMNS).where(c.lifecycle_stage.in_(stages(view)))
        if name_like is not None:
            query = query.where(c.name.ilike(name_like))
        if page_token:
            (created,), last_id = decode_token(page_token, query_fp, 1)
            if not isinstance(created, int) or not isinstance(last_id, int):
                raise InvalidParameter("page_token is not a valid page token", field="page_token")
            query = query.where(
                or_(
                    c.creation_time < created,
                    and_(c.creation_time == created, c.experiment_id < last_id),
                )
            )
        query = query.order_by(c.creation_time.desc(), c.experiment_id.desc()).limit(
            max_results + 1
        )
        with self._db.read() as conn:
            rows = conn.execute(query).all()
            page = rows[:max_results]
            tags = convert.experiment_tags(conn, [r[0] for r in page])
        token = None
        if len(rows) > max_results:
            last = page[-1]
            token = encode_token([last.creation_time], last.experiment_id, query_fp)
        return Page([convert.experiment(r, tags[r[0]]) for r in page], token)

    def update_experiment(
        self, experiment_id: str, name: str | None = None, description: str | None = None
    ) -> Experiment:
        eid = _parse_experiment_id(experiment_id)
        try:
            with self._db.write() as conn:
                self._check_experiment_active(conn, eid, experiment_id)
                values: dict[str, Any] = {"last_update_time": _now()}
                if name is not None:
                    taken = conn.execute(
                        select(_exp.c.experiment_id).where(
                            _exp.c.name == name, _exp.c.experiment_id != eid
                        )
                    ).first()
                    if taken:
                        raise AlreadyExists(f"An experiment named {name!r} already exists")
                    values["name"] = name
                if description is not None:
                    values["description"] = description
                conn.execute(update(_exp).where(_exp.c.experiment_id == eid).values(values))
                return self._load_experiment(conn, _exp.c.experiment_id == eid, str(eid))
        except IntegrityError as exc:
            raise AlreadyExists(f"An experiment named {name!r} already exists") from exc

    def set_experiment_tags(self, experiment_id: str, tags: Mapping[str, str]) -> None:
        eid = _parse_experiment_id(experiment_id)
        with self._db.write() as conn:
            self._check_experiment_active(conn, eid, experiment_id)
            if tags:
                ins = self._upsert(_exp_tags)
                conn.execute(
                    ins.on_conflict_do_update(
                        index_elements=[_exp_tags.c.experiment_id, _exp_tags.c.key],
                        set_={"value": ins.excluded.value},
                    ),
                    [{"experiment_id": eid, "key": k, "value": v} for k, v in tags.items()],
                )

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        eid = _parse_experiment_id(experiment_id)
        with self._db.write() as conn:
            self._check_experiment_active(conn, eid, experiment_id)
            result = conn.execute(
                delete(_exp_tags).where(_exp_tags.c.experiment_id == eid, _exp_tags.c.key == key)
            )
            if result.rowcount == 0:
                raise NotFound(f"Experiment {experiment_id!r} has no tag {key!r}")

    def delete_experiment(self, experiment_id: str) -> None:
        eid = _parse_experiment_id(experiment_id)
        if str(eid) == DEFAULT_EXPERIMENT_ID:
            raise InvalidState("The Default experiment cannot be deleted")
        now = _now()
        with self._db.write() as conn:
            if self._experiment_stage(conn, eid, experiment_id) == DELETED:
                return
            conn.execute(
                update(_exp)
                .where(_exp.c.experiment_id == eid)
                .values(lifecycle_stage=DELETED, last_update_time=now)
            )
            conn.execute(
                update(_runs)
                .where(_runs.c.experiment_id == eid, _runs.c.lifecycle_stage == ACTIVE)
                .values(lifecycle_stage=DELETED, deleted_time=now, deleted_with_experiment=True)
            )

    def restore_experiment(self, experiment_id: str) -> None:
        eid = _parse_experiment_id(experiment_id)
        with self._db.write() as conn:
            if self._experiment_stage(conn, eid, experiment_id) == ACTIVE:
                return
            conn.execute(
                update(_exp)
                .where(_exp.c.experiment_id == eid)
                .values(lifecycle_stage=ACTIVE, last_update_time=_now())
            )
            conn.execute(
                update(_runs)
                .where(_runs.c.experiment_id == eid, _runs.c.deleted_with_experiment.is_(True))
                .values(lifecycle_stage=ACTIVE, deleted_time=None, deleted_with_experiment=False)
            )

    def count_runs_by_experiment(self, experiment_ids: Sequence[str]) -> dict[str, int]:
        counts = {str(e): 0 for e in experiment_ids}
        ids = [int(e) for e in counts if e.isascii() and e.isdigit() and len(e) <= 18]
        if not ids:
            return counts
        query = (
            select(_runs.c.experiment_id, func.count())
            .where(_runs.c.experiment_id.in_(ids), _runs.c.lifecycle_stage == ACTIVE)
            .group_by(_runs.c.experiment_id)
        )
        with self._db.read() as conn:
            for eid, n in conn.execute(query):
                counts[str(eid)] = n
        return counts

    def _experiment_stage(self, conn: Connection, eid: int, experiment_id: str) -> str:
        stage = conn.execute(
            select(_exp.c.lifecycle_stage).where(_exp.c.experiment_id == eid)
        ).scalar()
        if stage is None:
            raise NotFound(f"No experiment with id {experiment_id!r}")
        return str(stage)

    def _check_experiment_active(self, conn: Connection, eid: int, experiment_id: str) -> None:
        if self._experiment_stage(conn, eid, experiment_id) != ACTIVE:
            raise InvalidState(f"Experiment {experiment_id!r} is deleted; restore it first")

    # -- runs ----------------------------------------------------------------------------
    def create_run(
        self,
        experiment_id: str,
        user: str,
        run_name: str | None = None,
        start_time: int | None = None,
        tags: Mapping[str, str] | None = None,
        parent_run_id: str | None = None,
    ) -> Run:
        eid = _parse_experiment_id(experiment_id)
        run_id = uuid.uuid4().hex
        info = RunInfo(
            run_id=run_id,
            run_name=run_name or generate_run_name(),
            experiment_id=str(eid),
            user=user,
            status=RunStatus.RUNNING,
            start_time=_now() if start_time is None else start_time,
            end_time=None,
            parent_run_id=parent_run_id,
            lifecycle_stage=LifecycleStage.ACTIVE,
            artifact_uri=f"{eid}/{run_id}/artifacts",
        )
        dialect = self._db.dialect
        # Driver SQL on the bare cursor, like log_batch: creating runs is a hot path too.
        with self._db.raw_write() as cursor:
            cursor.execute(_EXPERIMENT_STAGE_SQL[dialect], (eid,))
            row = cursor.fetchone()
            if row is None:
                raise NotFound(f"No experiment with id {experiment_id!r}")
            if row[0] != ACTIVE:
                raise InvalidState(f"Experiment {experiment_id!r} is deleted; restore it first")
            if is_external_location(row[1]):
                # An experiment in an admin-allowed object store: the client writes there.
                info = replace(info, artifact_uri=f"{row[1].rstrip('/')}/{run_id}/artifacts")
            if parent_run_id is not None:
                self._run_stage_raw(cursor, parent_run_id)
            cursor.execute(
                _INSERT_RUN_SQL[dialect],
                (
                    run_id,
                    eid,
                    info.run_name,
                    info.status.value,
                    info.start_time,
                    user,
                    parent_run_id,
                    ACTIVE,
                    info.artifact_uri,
                    False,
                ),
            )
            if tags:
                cursor.executemany(
                    _INSERT_TAG_SQL[dialect], [(run_id, k, v) for k, v in tags.items()]
                )
        return Run(info, {}, dict(tags or {}), {})

    def get_run(self, run_id: str) -> Run:
        with self._db.raw_read() as cursor:
            cursor.execute(_RUN_INFO_SQL[self._db.dialect], (run_id,))
            row = cursor.fetchone()
            if row is None:
                raise NotFound(f"No run with id {run_id!r}")
            return self._load_runs_raw(cursor, self._db.dialect, [row])[0]

    def get_run_info(self, run_id: str) -> RunInfo:
        with self._db.raw_read() as cursor:
            cursor.execute(_RUN_INFO_SQL[self._db.dialect], (run_id,))
            row = cursor.fetchone()
        if row is None:
            raise NotFound(f"No run with id {run_id!r}")
        return convert.run_info(row)

    @staticmethod
    def _load_runs(conn: Connection, rows: Sequence[Any]) -> list[Run]:
        """Entities for these run rows: params, tags and metrics in one query each.

        Driver SQL on the unit of work's own DBAPI cursor: a listing reads tens of
        thousands of small rows, and SQLAlchemy's per-row fetch and Row objects cost
        several times what the database does.
        """
        cursor = conn.connection.cursor()
        try:
            return SqlTrackingStore._load_runs_raw(cursor, conn.dialect.name, rows)
        finally:
            cursor.close()

    @staticmethod
    def _load_runs_raw(cursor: Any, dialect: str, rows: Sequence[Any]) -> list[Run]:
        """:meth:`_load_runs` on a DBAPI cursor the caller owns."""
        ids = [r[0] for r in rows]
        params: dict[str, dict[str, str]] = {r: {} for r in ids}
        tags: dict[str, dict[str, str]] = {r: {} for r in ids}
        metrics: dict[str, dict[str, MetricSummary]] = {r: {} for r in ids}
        inputs_rows: list[Any] = []
        for part in convert.chunked(ids):
            marks = ", ".join("?" * len(part))
            if dialect == "sqlite":
                for out, sql in ((params, _PARAMS_JSON_OF), (tags, _TAGS_JSON_OF)):
                    cursor.execute(sql.format(marks), part)
                    for run_id, obj in cursor.fetchall():
                        out[run_id] = json.loads(obj)
            else:
                for out, sql in ((params, _PARAMS_OF), (tags, _TAGS_OF)):
                    cursor.execute(_in_list(sql, marks, dialect), part)
                    for run_id, key, value in cursor.fetchall():
                        out[run_id][key] = value
            cursor.execute(_in_list(_METRICS_OF, marks, dialect), part)
            for run_id, key, value, timestamp, step, lo, hi in cursor.fetchall():
                metrics[run_id][key] = MetricSummary(
                    key, _NAN if value is None else value, timestamp, step, lo, hi
                )
            inputs_rows.extend(_read_inputs(cursor, dialect, part))
        # Most runs have no inputs: they share the empty ones.
        inputs = _inputs_by_run(inputs_rows)
        return [
            Run(
                convert.run_info(r),
                params[r[0]],
                tags[r[0]],
                metrics[r[0]],
                inputs.get(r[0], NO_INPUTS),
            )
            for r in rows
        ]

    def update_run(
        self,
        run_id: str,
        status: RunStatus | None = None,
        end_time: int | None = None,
        run_name: str | None = None,
    ) -> RunInfo:
        values: dict[str, Any] = {}
        if status is not None:
            status = RunStatus(status)
            values["status"] = status.value
            if status is RunStatus.RUNNING:
                values["end_time"] = None
            elif status.is_terminal:
                values["end_time"] = _now() if end_time is None else end_time
        if end_time is not None and status is not RunStatus.RUNNING:
            values["end_time"] = end_time
        if run_name is not None:
            values["name"] = run_name
        dialect = self._db.dialect
        with self._db.raw_write() as cursor:
            self._check_run_active_raw(cursor, run_id)
            if values:
                # Column names come from the fixed set above, never from callers.
                assignments = ", ".join(f"{column} = ?" for column in values)
                sql = f"UPDATE runs SET {assignments} WHERE run_id = ?"
                cursor.execute(metric_sql.driver_sql(sql)[dialect], (*values.values(), run_id))
            cursor.execute(_RUN_INFO_SQL[dialect], (run_id,))
            row = cursor.fetchone()
        return convert.run_info(row)

    def set_run_lifecycle(self, run_id: str, stage: LifecycleStage) -> None:
        stage = LifecycleStage(stage)
        with self._db.write() as conn:
            if stage is LifecycleStage.ACTIVE:
                row = conn.execute(
                    select(_exp.c.lifecycle_stage)
                    .select_from(_runs.join(_exp))
                    .where(_runs.c.run_id == run_id)
                ).first()
                if row is None:
                    raise NotFound(f"No run with id {run_id!r}")
                if row[0] != ACTIVE:
                    raise InvalidState(
                        f"Run {run_id!r} belongs to a deleted experiment; restore that first"
                    )
                values: dict[str, Any] = {
                    "lifecycle_stage": ACTIVE,
                    "deleted_time": None,
                    "deleted_with_experiment": False,
                }
            else:
                self._run_stage(conn, run_id)
                values = {
                    "lifecycle_stage": DELETED,
                    "deleted_time": _now(),
                    "deleted_with_experiment": False,
                }
            conn.execute(update(_runs).where(_runs.c.run_id == run_id).values(values))

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        # The hottest write (every log_metric of a synchronous run): driver SQL on the
        # bare cursor, one BEGIN IMMEDIATE transaction of stage check, inserts, upserts.
        dialect = self._db.dialect
        if metrics and not params and not tags and self._db.psycopg:
            # One round trip, the stage checked in the statement, a commit that does not
            # wait for the disk (see metric_sql.write_points_alone).
            stage = metric_sql.write_points_alone(self._db, run_id, metrics)
            if stage is None:
                raise NotFound(f"No run with id {run_id!r}")
            if stage != ACTIVE:
                raise InvalidState(f"Run {run_id!r} is deleted; restore it first")
            return
        with self._db.raw_write() as cursor:
            self._check_run_active_raw(cursor, run_id)
            if params:
                self._add_params(cursor, run_id, params)
            if metrics:
                metric_sql.write_points(cursor, dialect, run_id, metrics)
            if tags:
                cursor.executemany(
                    _UPSERT_TAG_SQL[dialect], [(run_id, k, v) for k, v in tags.items()]
                )

    def try_log_metrics(
        self, run_id: str, metrics: Sequence[Metric], owner: str | None
    ) -> bool | None:
        if not self._db.psycopg:
            # SQLite: the service's read and this store's write are both in-process and
            # cheap; folding them saves a round trip only where there is one.
            return None
        return metric_sql.write_points_checked(self._db, run_id, metrics, owner)

    def log_spooled_metrics(
        self, run_id: str, writer_id: str, first_seq: int, metrics: Sequence[Metric]
    ) -> int:
        with self._db.raw_write() as cursor:
            # Not deleted; finished is fine: these points were acknowledged while it ran.
            self._check_run_active_raw(cursor, run_id)
            return write_marks.write_spooled_points(
                cursor, self._db.dialect, run_id, writer_id, first_seq, metrics
            )

    def _add_params(self, cursor: Any, run_id: str, params: Mapping[str, str]) -> None:
        """Insert new params; the same value again is fine, another value is refused."""
        dialect = self._db.dialect
        keys = list(params)
        existing: dict[str, str] = {}
        for part in convert.chunked(keys):
            marks = ", ".join("?" * len(part))
            sql = f"SELECT key, value FROM params WHERE run_id = ? AND key IN ({marks})"
            cursor.execute(metric_sql.driver_sql(sql)[dialect], (run_id, *part))
            existing.update(cursor.fetchall())
        for key, value in params.items():
            if key in existing and existing[key] != value:
                raise InvalidParameter(
                    f"Param {key!r} of run {run_id!r} already has value {existing[key]!r}; "
                    f"params cannot change (tried {value!r})",
                    field=f"params.{key}",
                )
        new = [(run_id, k, v) for k, v in params.items() if k not in existing]
        if new:
            cursor.executemany(_INSERT_PARAM_SQL[dialect], new)

    def delete_run_tag(self, run_id: str, key: str) -> None:
        with self._db.write() as conn:
            self._check_run_active(conn, run_id)
            result = conn.execute(delete(_tags).where(_tags.c.run_id == run_id, _tags.c.key == key))
            if result.rowcount == 0:
                raise NotFound(f"Run {run_id!r} has no tag {key!r}")

    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] = (),
        model_ids: Sequence[str] = (),
    ) -> None:
        dialect = self._db.dialect
        now = _now()
        with self._db.raw_write() as cursor:
            cursor.execute(_RUN_EXPERIMENT_SQL[dialect], (run_id,))
            row = cursor.fetchone()
            if row is None:
                raise NotFound(f"No run with id {run_id!r}")
            experiment_id, stage = row
            if stage != ACTIVE:
                raise InvalidState(f"Run {run_id!r} is deleted; restore it first")
            if model_ids:  # the service checked that these logged models exist
                cursor.executemany(
                    _INSERT_MODEL_INPUT_SQL[dialect], [(run_id, m, now) for m in model_ids]
                )
            if datasets:
                # INSERT ... ON CONFLICT DO NOTHING, then read the ids back: a dataset
                # another run (or a concurrent writer) created first is used as it is.
                cursor.executemany(
                    _INSERT_DATASET_SQL[dialect],
                    [
                        (
                            experiment_id,
                            d.dataset.name,
                            d.dataset.digest,
                            d.dataset.source_type,
                            d.dataset.source,
                            d.dataset.schema,
                            d.dataset.profile,
                            now,
                        )
                        for d in datasets
                    ],
                )
                ids = self._dataset_ids_raw(cursor, experiment_id, datasets)
                cursor.executemany(
                    _INSERT_RUN_DATASET_SQL[dialect],
                    [
                        (
                            run_id,
                            ids[(d.dataset.name, d.dataset.digest)],
                            d.tags.get(DATASET_CONTEXT_TAG),
                            json.dumps(d.tags, ensure_ascii=False),
                            now,
                        )
                        for d in datasets
                    ],
                )

    def _dataset_ids_raw(
        self, cursor: Any, experiment_id: int, datasets: Sequence[DatasetInput]
    ) -> dict[tuple[str, str], int]:
        wanted = {(d.dataset.name, d.dataset.digest) for d in datasets}
        names = sorted({name for name, _digest in wanted})
        ids: dict[tuple[str, str], int] = {}
        for part in convert.chunked(names):
            sql = (
                "SELECT dataset_id, name, digest FROM datasets"
                f" WHERE experiment_id = ? AND name IN ({', '.join('?' * len(part))})"
            )
            cursor.execute(metric_sql.driver_sql(sql)[self._db.dialect], (experiment_id, *part))
            for dataset_id, name, digest in cursor.fetchall():
                if (name, digest) in wanted:
                    ids[(name, digest)] = dataset_id
        return ids

    def search_datasets(
        self, experiment_ids: Sequence[str], max_results: int = 1000
    ) -> list[DatasetSummary]:
        check_max_results(max_results)
        eids = sorted(
            {int(e) for e in experiment_ids if e.isascii() and e.isdigit() and len(e) <= 18}
        )
        if not eids:
            return []
        sql = (
            "SELECT DISTINCT d.experiment_id, d.name, d.digest, coalesce(i.context, '')"
            " FROM datasets d JOIN run_datasets i ON i.dataset_id = d.dataset_id"
            f" WHERE d.experiment_id IN ({', '.join('?' * len(eids))})"
            " ORDER BY 1, 2, 3, 4 LIMIT ?"
        )
        with self._db.raw_read() as cursor:
            cursor.execute(metric_sql.driver_sql(sql)[self._db.dialect], (*eids, max_results))
            rows = cursor.fetchall()
        return [
            DatasetSummary(str(e), name, digest, context or None)
            for e, name, digest, context in rows
        ]

    def get_metric_history(self, run_id: str, key: str) -> list[Metric]:
        with gc_paused(), self._db.raw_read() as cursor:
            self._run_stage_raw(cursor, run_id)
            return metric_sql.history(cursor, self._db.dialect, run_id, key)

    def get_metric_history_downsampled(
        self, run_id: str, key: str, max_points: int
    ) -> list[MetricBucket]:
        if isinstance(max_points, bool) or not isinstance(max_points, int) or max_points < 1:
            raise InvalidParameter("max_points must be a positive integer", field="max_points")
        with self._db.read() as conn:
            self._run_stage(conn, run_id)
            return metric_sql.downsample(conn, run_id, key, max_points)

    def _run_stage(self, conn: Connection, run_id: str) -> str:
        stage = conn.exec_driver_sql(_RUN_STAGE_SQL[self._db.dialect], (run_id,)).scalar()
        if stage is None:
            raise NotFound(f"No run with id {run_id!r}")
        return str(stage)

    def _run_stage_raw(self, cursor: Any, run_id: str) -> str:
        cursor.execute(_RUN_STAGE_SQL[self._db.dialect], (run_id,))
        row = cursor.fetchone()
        if row is None:
            raise NotFound(f"No run with id {run_id!r}")
        return str(row[0])

    def _check_run_active_raw(self, cursor: Any, run_id: str) -> None:
        if self._run_stage_raw(cursor, run_id) != ACTIVE:
            raise InvalidState(f"Run {run_id!r} is deleted; restore it first")

    def _check_run_active(self, conn: Connection, run_id: str) -> None:
        if self._run_stage(conn, run_id) != ACTIVE:
            raise InvalidState(f"Run {run_id!r} is deleted; restore it first")

    # -- heartbeats ----------------------------------------------------------------------
    def record_heartbeat(self, run_id: str, now: int, end_tag: tuple[str, str]) -> bool:
        key, value = end_tag
        with self._db.write() as conn:
            self._run_stage(conn, run_id)
            upsert = self._upsert(_heartbeats).values(run_id=run_id, last_seen=now)
            conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=[_heartbeats.c.run_id], set_={"last_seen": now}
                )
            )
            killed_by_silence = (
                select(_tags.c.run_id)
                .where(_tags.c.run_id == run_id, _tags.c.key == key, _tags.c.value == value)
                .exists()
            )
            revived = conn.execute(
                update(_runs)
                .where(
                    _runs.c.run_id == run_id,
                    _runs.c.status == RunStatus.KILLED.value,
                    killed_by_silence,
                )
                .values(status=RunStatus.RUNNING.value, end_time=None)
            ).rowcount
            if revived:
                conn.execute(delete(_tags).where(_tags.c.run_id == run_id, _tags.c.key == key))
        return bool(revived)

    def mark_dead_runs(self, cutoff: int, end_tag: tuple[str, str]) -> int:
        key, value = end_tag
        silent = (
            select(_heartbeats.c.run_id)
            .select_from(_heartbeats.join(_runs))
            .where(_heartbeats.c.last_seen < cutoff, _runs.c.status == RunStatus.RUNNING.value)
        )
        # The sweep runs every few seconds and at every direct open of a store, and almost
        # always finds nothing: look first in a read, so that it takes no write lock (on
        # SQLite, one that a training loop's metric writes would wait for) for nothing.
        with self._db.read() as conn:
            if conn.execute(silent.limit(1)).first() is None:
                return 0
        with self._db.write() as conn:
            dead = conn.execute(silent).scalars().all()
            # A heartbeat racing this sweep (PostgreSQL) revives the run again.
            for ids in convert.chunked(dead):
                conn.execute(
                    update(_runs)
                    .where(_runs.c.run_id.in_(ids), _runs.c.status == RunStatus.RUNNING.value)
                    .values(
                        status=RunStatus.KILLED.value,
                        end_time=select(_heartbeats.c.last_seen)
                        .where(_heartbeats.c.run_id == _runs.c.run_id)
                        .scalar_subquery(),
                    )
                )
                upsert = self._upsert(_tags).values(
                    [{"run_id": run_id, "key": key, "value": value} for run_id in ids]
                )
                conn.execute(
                    upsert.on_conflict_do_update(
                        index_elements=[_tags.c.run_id, _tags.c.key],
                        set_={"value": upsert.excluded.value},
                    )
                )
        return len(dead)

    # -- search ------------------------------------------------------------------------
    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        view: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[Run]:
        check_max_results(max_results)
        query_fp = fingerprint(
            "runs",
            sorted(map(str, experiment_ids)),
            filter_string,
            list(order_by or ()),
            stages(view),
        )
        dialect = self._db.dialect
        plan_key = (
            tuple(map(str, experiment_ids)),
            filter_string,
            view,
            tuple(order_by or ()),
            max_results,
        )
        plan = None if page_token else self._first_pages.get(plan_key)
        if plan is not None:
            # A repeated first page: no statement to build, so no SQLAlchemy at all.
            with gc_paused(), self._db.raw_read() as cursor:
                if plan.still_valid(cursor, self._density):
                    rows, runs = self._run_page(cursor, plan, max_results)
                    return self._page_of(rows, runs, plan, max_results, query_fp)
        with gc_paused(), self._db.read() as conn:
            search = search_sql.RunSearch.build(
                dialect,
                experiment_ids,
                filter_string,
                stages(view),
                order_by,
                conn,
                density=self._density,
            )
            after: tuple[list[Any], str] | None = None
            if page_token:
                values, last_id = decode_token(page_token, query_fp, len(search.sort_keys))
                if not isinstance(last_id, str):
                    raise InvalidParameter(
                        "page_token is not a valid page token", field="page_token"
                    )
                search.check_cursor(values)
                after = (values, last_id)
            queries = search.page_queries(after, max_results + 1)
            plan = search_sql.CompiledPage.of(search, queries, conn)
            if not page_token:
                self._remember_first_page(plan_key, plan)
            cursor = conn.connection.cursor()
            try:
                rows, runs = self._run_page(cursor, plan, max_results)
            finally:
                cursor.close()
        return self._page_of(rows, runs, plan, max_results, query_fp)

    def _run_page(
        self, cursor: Any, plan: search_sql.CompiledPage, max_results: int
    ) -> tuple[list[Any], list[Run]]:
        rows = plan.rows(cursor, max_results + 1)
        return rows, self._load_runs_raw(cursor, self._db.dialect, rows[:max_results])

    @staticmethod
    def _page_of(
        rows: list[Any],
        runs: list[Run],
        plan: search_sql.CompiledPage,
        max_results: int,
        query_fp: str,
    ) -> Page[Run]:
        token = None
        if len(rows) > max_results:
            last = rows[max_results - 1]
            sort_values = list(last[len(last) - plan.sort_key_count :])
            token = encode_token(sort_values, last[0], query_fp)
        return Page(runs, token)

    def _remember_first_page(self, key: tuple[Any, ...], plan: search_sql.CompiledPage) -> None:
        if len(self._first_pages) >= 256:
            self._first_pages.clear()  # a simple bound; searches repeat from few places
        self._first_pages[key] = plan

    def count_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        view: ViewType = ViewType.ACTIVE_ONLY,
    ) -> int:
        search = search_sql.RunSearch.build(
            self._db.dialect, experiment_ids, filter_string, stages(view), None
        )
        with self._db.read() as conn:
            return int(conn.execute(search.count_query()).scalar_one())


def _inputs_by_run(rows: Sequence[Any]) -> dict[str, RunInputs]:
    """The rows of _INPUTS_OF as each run's inputs (runs without any left out); a model
    input carries its id only, the service names it."""
    if not rows:
        return {}
    datasets: dict[str, list[DatasetInput]] = {}
    used: dict[str, list[LoggedModelRef]] = {}
    for run_id, kind, a, b, source_type, source, schema, profile, tags, _time, _id in rows:
        if kind == 0:
            dataset = Dataset(a, b, source_type, source, schema, profile)
            datasets.setdefault(run_id, []).append(DatasetInput(dataset, json.loads(tags)))
        else:
            used.setdefault(run_id, []).append(LoggedModelRef(a))
    return {
        run_id: RunInputs(tuple(datasets.get(run_id, ())), tuple(used.get(run_id, ())))
        for run_id in datasets.keys() | used.keys()
    }
