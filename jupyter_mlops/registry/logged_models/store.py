"""The logged models' store on the shared database: MLflow 3 logged models, their tags,
params and metrics. No other domain's SQL reads these tables: tracking learns which models
exist and which runs produced them from :class:`~.service.LoggedModelService`.

Every public method is one unit of work (``Database.read`` / ``Database.write``), so the
store is safe to share between threads.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ...database.engine import Database
from ...database.paging import fingerprint
from ...errors import InvalidParameter, InvalidState, NotFound
from ...tracking.entities import LoggedModelRef, Page
from .. import search
from ..store import query
from . import models
from .entities import LoggedModel, LoggedModelMetric, LoggedModelStatus

_lm = models.logged_models
_lm_tags = models.logged_model_tags
_lm_params = models.logged_model_params
_lm_metrics = models.logged_model_metrics

ACTIVE, DELETED = "active", "deleted"
#: MLflow's tag listing the registered versions made from a logged model.
MODEL_VERSIONS_TAG = "mlflow.modelVersions"

_LOGGED_COLUMNS = tuple(_lm.c)  # every column, in the declared order
_LOGGED_ATTRIBUTES = {
    "name": _lm.c.name,
    "model_id": _lm.c.model_id,
    "status": _lm.c.status,
    "model_type": _lm.c.model_type,
    "source_run_id": _lm.c.source_run_id,
    "creation_timestamp": _lm.c.creation_timestamp,
    "last_updated_timestamp": _lm.c.last_updated_timestamp,
}
_NUMERIC = {"creation_timestamp", "last_updated_timestamp"}
# MLflow's order: newest first.
_DEFAULT_LOGGED_ORDER = ["creation_timestamp DESC"]
# Bound parameters per IN list (SQLite's limit is 32,766; a page of runs is far below).
_CHUNK = 500


def _now() -> int:
    return int(time.time() * 1000)


def _chunks(ids: Sequence[str]) -> list[list[str]]:
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + _CHUNK] for i in range(0, len(unique), _CHUNK)]


_NAMES_OF = "SELECT model_id, name FROM logged_models WHERE model_id IN ({})"
_PRODUCED_BY = (
    "SELECT source_run_id, model_id, name, source_run_step FROM logged_models"
    " WHERE source_run_id IN ({}) AND lifecycle_stage = ?"
    " ORDER BY creation_timestamp, model_id"
)


class SqlLoggedModelStore:
    """The logged models' tables on a :class:`Database` shared with the other stores."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._db.upgrade()
        self._insert: Any = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert

    # -- what tracking asks (one query per page of runs) -----------------------------
    # On the bare cursor (Database.raw_read): they run with every page of runs the panel
    # or a client reads, and SQLAlchemy's per-statement cost was most of theirs.
    def names_of(self, model_ids: Sequence[str]) -> dict[str, str]:
        """id -> name of the logged models among ``model_ids``, deleted ones included."""
        names: dict[str, str] = {}
        with self._db.raw_read() as cursor:
            for part in _chunks(model_ids):
                cursor.execute(self._sql(_NAMES_OF, len(part)), part)
                names.update(cursor.fetchall())
        return names

    def produced_by(self, run_ids: Sequence[str]) -> dict[str, list[LoggedModelRef]]:
        """run id -> the live logged models whose ``source_run_id`` it is, oldest first,
        each with the step at which the run logged it (0 where none was said)."""
        produced: dict[str, list[LoggedModelRef]] = {}
        with self._db.raw_read() as cursor:
            for part in _chunks(run_ids):
                cursor.execute(self._sql(_PRODUCED_BY, len(part)), [*part, ACTIVE])
                for run_id, model_id, name, step in cursor.fetchall():
                    produced.setdefault(run_id, []).append(
                        LoggedModelRef(model_id, name, step or 0)
                    )
        return produced

    def _sql(self, template: str, count: int) -> str:
        """``template`` with an IN list of ``count`` marks, in the driver's paramstyle."""
        sql = template.format(", ".join("?" * count))
        return sql.replace("?", "%s") if self._db.dialect == "postgresql" else sql

    def create_logged_model(
        self,
        experiment_id: str,
        experiment_location: str,
        name: str,
        creator_id: str,
        source_run_id: str | None = None,
        tags: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        model_type: str | None = None,
    ) -> LoggedModel:
        """A PENDING logged model whose files go to
        ``<experiment_location>/models/<model_id>/artifacts``."""
        now = _now()
        model_id = f"m-{uuid.uuid4().hex}"
        location = f"{experiment_location.strip('/')}/models/{model_id}/artifacts"
        with self._db.write() as conn:
            conn.execute(
                insert(_lm).values(
                    model_id=model_id,
                    experiment_id=int(experiment_id),
                    name=name,
                    artifact_location=location,
                    creation_timestamp=now,
                    last_updated_timestamp=now,
                    status=LoggedModelStatus.PENDING.value,
                    status_message="",
                    source_run_id=source_run_id,
                    model_type=model_type,
                    creator_id=creator_id,
                    lifecycle_stage=ACTIVE,
                )
            )
            for table, values in ((_lm_tags, tags), (_lm_params, params)):
                if values:
                    conn.execute(
                        insert(table),
                        [{"model_id": model_id, "key": k, "value": v} for k, v in values.items()],
                    )
            return self._logged(conn, [self._logged_row(conn, model_id)])[0]

    @staticmethod
    def _logged_row(conn: Connection, model_id: str, include_deleted: bool = False) -> Any:
        statement = select(*_LOGGED_COLUMNS).where(_lm.c.model_id == model_id)
        if not include_deleted:
            statement = statement.where(_lm.c.lifecycle_stage == ACTIVE)
        row = conn.execute(statement).first()
        if row is None:
            raise NotFound(f"Logged model with ID '{model_id}' not found.")
        return row

    @staticmethod
    def _logged(conn: Connection, rows: Sequence[Any]) -> list[LoggedModel]:
        ids = [r.model_id for r in rows]
        tags: dict[str, dict[str, str]] = defaultdict(dict)
        params: dict[str, dict[str, str]] = defaultdict(dict)
        metrics: dict[str, list[LoggedModelMetric]] = defaultdict(list)
        if ids:
            for table, target in ((_lm_tags, tags), (_lm_params, params)):
                for mid, key, value in conn.execute(
                    select(table.c.model_id, table.c.key, table.c.value).where(
                        table.c.model_id.in_(ids)
                    )
                ):
                    target[mid][key] = value
            m = _lm_metrics.c
            for row in conn.execute(
                select(
                    m.model_id,
                    m.key,
                    m.value,
                    m.timestamp,
                    m.step,
                    m.run_id,
                    m.dataset_name,
                    m.dataset_digest,
                )
                .where(m.model_id.in_(ids))
                .order_by(m.model_id, m.key, m.step, m.id)
            ):
                metrics[row.model_id].append(
                    LoggedModelMetric(
                        row.key,
                        math.nan if row.value is None else row.value,
                        row.timestamp,
                        row.step,
                        row.run_id,
                        row.dataset_name,
                        row.dataset_digest,
                    )
                )
        return [
            LoggedModel(
                model_id=r.model_id,
                experiment_id=str(r.experiment_id),
                name=r.name,
                artifact_location=r.artifact_location,
                creation_timestamp=r.creation_timestamp,
                last_updated_timestamp=r.last_updated_timestamp,
                status=r.status,
                status_message=r.status_message,
                source_run_id=r.source_run_id,
                model_type=r.model_type,
                tags=tags[r.model_id],
                params=params[r.model_id],
                metrics=metrics[r.model_id],
                creator_id=r.creator_id,
                lifecycle_stage=r.lifecycle_stage,
            )
            for r in rows
        ]

    def get_logged_model(self, model_id: str, include_deleted: bool = False) -> LoggedModel:
        """The logged model; a (soft-)deleted one only with ``include_deleted``."""
        with self._db.read() as conn:
            return self._logged(conn, [self._logged_row(conn, model_id, include_deleted)])[0]

    def finalize_logged_model(
        self, model_id: str, status: str, status_message: str = ""
    ) -> LoggedModel:
        with self._db.write() as conn:
            self._logged_row(conn, model_id)
            conn.execute(
                update(_lm)
                .where(_lm.c.model_id == model_id)
                .values(status=status, status_message=status_message, last_updated_timestamp=_now())
            )
            return self._logged(conn, [self._logged_row(conn, model_id)])[0]

    def set_logged_model_source_run(self, model_id: str, run_id: str, step: int = 0) -> LoggedModel:
        """Record ``run_id`` as the run that produced the model, at ``step`` (MLflow's run
        output); the same run again records the new step. Only a new producing run
        counts as an update of the model."""
        with self._db.write() as conn:
            row = self._logged_row(conn, model_id)
            values: dict[str, Any] = {"source_run_id": run_id, "source_run_step": step}
            if row.source_run_id != run_id:
                values["last_updated_timestamp"] = _now()
            # Guarded, so that two runs claiming one model at once cannot both win.
            claimed = conn.execute(
                update(_lm)
                .where(
                    _lm.c.model_id == model_id,
                    or_(_lm.c.source_run_id.is_(None), _lm.c.source_run_id == run_id),
                )
                .values(**values)
            )
            if claimed.rowcount == 0:
                raise InvalidState(
                    f"Logged model {model_id!r} is an output of another run; "
                    "a logged model has one producing run here"
                )
            return self._logged(conn, [self._logged_row(conn, model_id)])[0]

    def names_in_use(self, experiment_id: str, names: Sequence[str]) -> set[str]:
        """Which of ``names`` live logged models of the experiment already have."""
        with self._db.read() as conn:
            return set(
                conn.execute(
                    select(_lm.c.name).where(
                        _lm.c.experiment_id == int(experiment_id),
                        _lm.c.lifecycle_stage == ACTIVE,
                        _lm.c.name.in_(list(names)),
                    )
                ).scalars()
            )

    def add_model_version(self, model_id: str, name: str, version: int) -> None:
        """List registered version ``name``/``version`` in the model's
        ``mlflow.modelVersions`` tag (a JSON list, as MLflow keeps it), once.

        Read and written in one transaction with the model's row locked, so that two
        versions registered at once from one model both end up in the list.
        """
        entry = {"name": name, "version": version}
        with self._db.write() as conn:
            locked = conn.execute(
                select(_lm.c.model_id)
                .where(_lm.c.model_id == model_id, _lm.c.lifecycle_stage == ACTIVE)
                .with_for_update()
            ).first()
            if locked is None:
                raise NotFound(f"Logged model with ID '{model_id}' not found.")
            current = conn.execute(
                select(_lm_tags.c.value).where(
                    _lm_tags.c.model_id == model_id, _lm_tags.c.key == MODEL_VERSIONS_TAG
                )
            ).scalar()
            listed: list[Any] = []
            if current:
                try:
                    parsed = json.loads(current)
                except ValueError:
                    parsed = None  # a user's own text in our tag: start the list afresh
                listed = parsed if isinstance(parsed, list) else []
            if entry in listed:
                return
            value = json.dumps([*listed, entry])
            statement = self._insert(_lm_tags).values(
                model_id=model_id, key=MODEL_VERSIONS_TAG, value=value
            )
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["model_id", "key"], set_={"value": statement.excluded.value}
                )
            )

    def delete_logged_model(self, model_id: str) -> None:
        """Soft delete, as MLflow does: the files stay until garbage collection."""
        with self._db.write() as conn:
            self._logged_row(conn, model_id)
            conn.execute(
                update(_lm)
                .where(_lm.c.model_id == model_id)
                .values(lifecycle_stage=DELETED, last_updated_timestamp=_now())
            )

    def set_logged_model_tags(self, model_id: str, tags: Mapping[str, str]) -> None:
        self._upsert_keyed(_lm_tags, model_id, tags)

    def log_logged_model_params(self, model_id: str, params: Mapping[str, str]) -> None:
        """Params are immutable, as on runs: the same value again is fine, another is not."""
        with self._db.write() as conn:
            self._logged_row(conn, model_id)
            existing = dict(
                conn.execute(
                    select(_lm_params.c.key, _lm_params.c.value).where(
                        _lm_params.c.model_id == model_id, _lm_params.c.key.in_(list(params))
                    )
                ).all()
            )
            for key, value in params.items():
                if key in existing and existing[key] != value:
                    raise InvalidParameter(
                        f"param {key!r} of logged model {model_id} is already "
                        f"{existing[key]!r}; params cannot change",
                        field=f"params.{key}",
                    )
            new = [
                {"model_id": model_id, "key": k, "value": v}
                for k, v in params.items()
                if k not in existing
            ]
            if new:
                conn.execute(insert(_lm_params), new)
            self._touch_logged(conn, model_id)

    def log_logged_model_metrics(self, model_id: str, metrics: Sequence[LoggedModelMetric]) -> None:
        with self._db.write() as conn:
            self._logged_row(conn, model_id)
            if metrics:
                conn.execute(
                    insert(_lm_metrics),
                    [
                        {
                            "model_id": model_id,
                            "key": m.key,
                            "value": None if math.isnan(m.value) else m.value,
                            "timestamp": m.timestamp,
                            "step": m.step,
                            "run_id": m.run_id,
                            "dataset_name": m.dataset_name,
                            "dataset_digest": m.dataset_digest,
                        }
                        for m in metrics
                    ],
                )
            self._touch_logged(conn, model_id)

    def _touch_logged(self, conn: Connection, model_id: str) -> None:
        conn.execute(
            update(_lm).where(_lm.c.model_id == model_id).values(last_updated_timestamp=_now())
        )

    def _upsert_keyed(self, table: Any, model_id: str, values: Mapping[str, str]) -> None:
        with self._db.write() as conn:
            self._logged_row(conn, model_id)
            for key, value in values.items():
                statement = self._insert(table).values(model_id=model_id, key=key, value=value)
                conn.execute(
                    statement.on_conflict_do_update(
                        index_elements=["model_id", "key"], set_={"value": statement.excluded.value}
                    )
                )
            self._touch_logged(conn, model_id)

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        with self._db.write() as conn:
            self._logged_row(conn, model_id)
            deleted = conn.execute(
                delete(_lm_tags).where(_lm_tags.c.model_id == model_id, _lm_tags.c.key == key)
            )
            if deleted.rowcount == 0:
                raise NotFound(f"Logged model {model_id} has no tag {key!r}")
            self._touch_logged(conn, model_id)

    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[LoggedModel]:
        spec = search.LOGGED_MODELS
        expr = search.parse_filter(spec, filter_string)
        keys = search.parse_order_by(spec, list(order_by or []) or _DEFAULT_LOGGED_ORDER)
        sorts = query.sorts_for(keys, _LOGGED_ATTRIBUTES, _NUMERIC)

        def keyed(table: Any) -> Any:
            def clause(key: str, matches: Any) -> Any:
                return _lm.c.model_id.in_(
                    select(table.c.model_id).where(table.c.key == key, matches(table.c.value))
                )

            return clause

        statement = select(*_LOGGED_COLUMNS).where(
            _lm.c.lifecycle_stage == ACTIVE,
            _lm.c.experiment_id.in_([int(e) for e in experiment_ids]),
            query.where(
                expr,
                _LOGGED_ATTRIBUTES,
                {"tag": keyed(_lm_tags), "param": keyed(_lm_params)},
                self._db.dialect,
            ),
        )
        query_fp = fingerprint(
            "logged_models", sorted(experiment_ids), filter_string, [str(k) for k in keys]
        )
        return query.read_page(
            self._db,
            statement,
            sorts,
            _lm.c.model_id,
            str,
            query_fp,
            max_results,
            page_token,
            self._logged,
        )
