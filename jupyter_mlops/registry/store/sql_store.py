"""The registry store on the shared database: registered models, versions, aliases,
tags and MLflow 3 logged models.

Every public method is one unit of work (``Database.read`` / ``Database.write``), so the
store is safe to share between threads. It enforces integrity (unique names, version
numbering, one version per alias); permissions and input shapes are the service's job.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ...database.engine import Database
from ...database.paging import fingerprint
from ...database.unique_names import insert_named, name_taken_as
from ...errors import AlreadyExists, NotFound
from ...tracking.entities import Page
from .. import search
from ..entities import (
    ModelVersion,
    RegisteredModel,
    Stage,
    VersionStatus,
)
from . import models, query

_rm = models.registered_models
_rm_tags = models.registered_model_tags
_mv = models.model_versions
_mv_tags = models.model_version_tags
_aliases = models.registered_model_aliases

ACTIVE, DELETED = "active", "deleted"

_MODEL_COLUMNS = (
    _rm.c.id,
    _rm.c.name,
    _rm.c.description,
    _rm.c.owner,
    _rm.c.creation_timestamp,
    _rm.c.last_updated_timestamp,
)
_VERSION_COLUMNS = (
    _mv.c.id,
    _rm.c.name,
    _mv.c.version,
    _mv.c.creation_timestamp,
    _mv.c.last_updated_timestamp,
    _mv.c.description,
    _mv.c.user_id,
    _mv.c.current_stage,
    _mv.c.source,
    _mv.c.run_id,
    _mv.c.status,
    _mv.c.status_message,
    _mv.c.run_link,
    _mv.c.logged_model_id,
    _mv.c.storage_location,
)
_MODEL_ATTRIBUTES = {
    "name": _rm.c.name,
    "owner": _rm.c.owner,
    "description": _rm.c.description,
    "creation_timestamp": _rm.c.creation_timestamp,
    "last_updated_timestamp": _rm.c.last_updated_timestamp,
}
_VERSION_ATTRIBUTES = {
    "name": _rm.c.name,
    "version_number": _mv.c.version,
    "run_id": _mv.c.run_id,
    "source_path": _mv.c.source,
    "user_id": _mv.c.user_id,
    "current_stage": _mv.c.current_stage,
    "status": _mv.c.status,
    "model_id": _mv.c.logged_model_id,
    "creation_timestamp": _mv.c.creation_timestamp,
    "last_updated_timestamp": _mv.c.last_updated_timestamp,
}
_NUMERIC = {"creation_timestamp", "last_updated_timestamp", "version_number"}

# MLflow's orders: models by name; versions newest change first.
_DEFAULT_MODEL_ORDER = ["name ASC"]
_DEFAULT_VERSION_ORDER = ["last_updated_timestamp DESC", "name ASC", "version_number DESC"]
_VERSION_TIES_ORDER = ["name ASC", "version_number DESC"]


def _now() -> int:
    return int(time.time() * 1000)


class SqlRegistryStore:
    """The registry's tables on a :class:`Database` shared with the other stores."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._db.upgrade()
        self._insert: Any = postgresql.insert if self._db.dialect == "postgresql" else sqlite.insert

    @property
    def database(self) -> Database:
        return self._db

    # -- helpers -----------------------------------------------------------------------
    @staticmethod
    def _model_row(conn: Connection, name: str) -> Any:
        row = conn.execute(select(*_MODEL_COLUMNS).where(_rm.c.name == name)).first()
        if row is None:
            raise NotFound(f"Registered Model with name={name} not found")
        return row

    @staticmethod
    def _version_row(conn: Connection, name: str, version: int) -> Any:
        row = conn.execute(
            select(*_VERSION_COLUMNS)
            .select_from(_mv.join(_rm, _mv.c.model_id == _rm.c.id))
            .where(_rm.c.name == name, _mv.c.version == version)
        ).first()
        if row is None:
            raise NotFound(f"Model Version (name={name}, version={version}) not found")
        return row

    def _touch_model(self, conn: Connection, model_id: int, now: int) -> None:
        conn.execute(update(_rm).where(_rm.c.id == model_id).values(last_updated_timestamp=now))

    @staticmethod
    def _versions(conn: Connection, rows: Sequence[Any]) -> list[ModelVersion]:
        """Entities of version rows, with their tags and aliases (two queries)."""
        ids = [r.id for r in rows]
        tags: dict[int, dict[str, str]] = defaultdict(dict)
        aliases: dict[int, list[str]] = defaultdict(list)
        if ids:
            for vid, key, value in conn.execute(
                select(_mv_tags.c.version_id, _mv_tags.c.key, _mv_tags.c.value).where(
                    _mv_tags.c.version_id.in_(ids)
                )
            ):
                tags[vid][key] = value
            for vid, alias in conn.execute(
                select(_aliases.c.version_id, _aliases.c.alias)
                .where(_aliases.c.version_id.in_(ids))
                .order_by(_aliases.c.alias)
            ):
                aliases[vid].append(alias)
        return [
            ModelVersion(
                name=r.name,
                version=str(r.version),
                creation_timestamp=r.creation_timestamp,
                last_updated_timestamp=r.last_updated_timestamp,
                description=r.description,
                user_id=r.user_id,
                current_stage=r.current_stage,
                source=r.source,
                run_id=r.run_id,
                status=r.status,
                status_message=r.status_message,
                tags=tags[r.id],
                aliases=aliases[r.id],
                run_link=r.run_link,
                model_id=r.logged_model_id,
                storage_location=r.storage_location,
            )
            for r in rows
        ]

    def _models(self, conn: Connection, rows: Sequence[Any]) -> list[RegisteredModel]:
        """Entities of model rows with tags, aliases and the newest version per stage."""
        ids = [r.id for r in rows]
        tags: dict[int, dict[str, str]] = defaultdict(dict)
        aliases: dict[int, dict[str, str]] = defaultdict(dict)
        latest: dict[int, list[ModelVersion]] = defaultdict(list)
        if ids:
            for mid, key, value in conn.execute(
                select(_rm_tags.c.model_id, _rm_tags.c.key, _rm_tags.c.value).where(
                    _rm_tags.c.model_id.in_(ids)
                )
            ):
                tags[mid][key] = value
            for mid, alias, version in conn.execute(
                select(_aliases.c.model_id, _aliases.c.alias, _mv.c.version)
                .join(_mv, _mv.c.id == _aliases.c.version_id)
                .where(_aliases.c.model_id.in_(ids))
                .order_by(_aliases.c.alias)
            ):
                aliases[mid][alias] = str(version)
            newest = (
                select(func.max(_mv.c.version).label("version"), _mv.c.model_id)
                .where(_mv.c.model_id.in_(ids))
                .group_by(_mv.c.model_id, _mv.c.current_stage)
                .subquery()
            )
            version_rows = conn.execute(
                select(*_VERSION_COLUMNS, _mv.c.model_id)
                .select_from(_mv.join(_rm, _mv.c.model_id == _rm.c.id))
                .join(
                    newest,
                    (newest.c.model_id == _mv.c.model_id) & (newest.c.version == _mv.c.version),
                )
                .order_by(_mv.c.version)
            ).all()
            for row, entity in zip(version_rows, self._versions(conn, version_rows), strict=True):
                latest[row.model_id].append(entity)
        return [
            RegisteredModel(
                name=r.name,
                creation_timestamp=r.creation_timestamp,
                last_updated_timestamp=r.last_updated_timestamp,
                description=r.description,
                owner=r.owner,
                tags=tags[r.id],
                aliases=aliases[r.id],
                latest_versions=latest[r.id],
            )
            for r in rows
        ]

    # -- registered models -------------------------------------------------------------
    def create_registered_model(
        self,
        name: str,
        owner: str,
        description: str = "",
        tags: Mapping[str, str] | None = None,
    ) -> RegisteredModel:
        now = _now()
        taken = f"Registered Model (name={name}) already exists."
        with name_taken_as(taken), self._db.write() as conn:
            values = {"description": description, "owner": owner, "last_version": 0}
            times = {"creation_timestamp": now, "last_updated_timestamp": now}
            model_id = insert_named(conn, _rm, name, {**values, **times}, taken)
            if tags:
                conn.execute(
                    insert(_rm_tags),
                    [{"model_id": model_id, "key": k, "value": v} for k, v in tags.items()],
                )
        return RegisteredModel(name, now, now, description, owner, dict(tags or {}), {}, [])

    def get_registered_model(self, name: str) -> RegisteredModel:
        with self._db.read() as conn:
            return self._models(conn, [self._model_row(conn, name)])[0]

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        try:
            with self._db.write() as conn:
                row = self._model_row(conn, name)
                if (
                    new_name != name
                    and conn.execute(select(_rm.c.id).where(_rm.c.name == new_name)).first()
                ):
                    raise AlreadyExists(f"Registered Model (name={new_name}) already exists.")
                conn.execute(
                    update(_rm)
                    .where(_rm.c.id == row.id)
                    .values(name=new_name, last_updated_timestamp=_now())
                )
                return self._models(conn, [self._model_row(conn, new_name)])[0]
        except IntegrityError as exc:
            raise AlreadyExists(f"Registered Model (name={new_name}) already exists.") from exc

    def update_registered_model(self, name: str, description: str) -> RegisteredModel:
        with self._db.write() as conn:
            row = self._model_row(conn, name)
            conn.execute(
                update(_rm)
                .where(_rm.c.id == row.id)
                .values(description=description, last_updated_timestamp=_now())
            )
            return self._models(conn, [self._model_row(conn, name)])[0]

    def delete_registered_model(self, name: str) -> None:
        """Delete the model with its versions, tags and aliases."""
        with self._db.write() as conn:
            row = self._model_row(conn, name)
            # Explicit rather than relying on ON DELETE CASCADE: SQLite only cascades with
            # its foreign_keys pragma on, which another opener of the file may not set.
            versions = select(_mv.c.id).where(_mv.c.model_id == row.id).scalar_subquery()
            conn.execute(delete(_aliases).where(_aliases.c.model_id == row.id))
            conn.execute(delete(_mv_tags).where(_mv_tags.c.version_id.in_(versions)))
            conn.execute(delete(_mv).where(_mv.c.model_id == row.id))
            conn.execute(delete(_rm_tags).where(_rm_tags.c.model_id == row.id))
            conn.execute(delete(_rm).where(_rm.c.id == row.id))

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        with self._db.write() as conn:
            row = self._model_row(conn, name)
            statement = self._insert(_rm_tags).values(model_id=row.id, key=key, value=value)
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["model_id", "key"], set_={"value": statement.excluded.value}
                )
            )
            self._touch_model(conn, row.id, _now())

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        with self._db.write() as conn:
            row = self._model_row(conn, name)
            deleted = conn.execute(
                delete(_rm_tags).where(_rm_tags.c.model_id == row.id, _rm_tags.c.key == key)
            )
            if deleted.rowcount == 0:
                raise NotFound(f"Registered model {name!r} has no tag {key!r}")
            self._touch_model(conn, row.id, _now())

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[RegisteredModel]:
        spec = search.REGISTERED_MODELS
        expr = search.parse_filter(spec, filter_string)
        keys = search.parse_order_by(spec, list(order_by or []) or _DEFAULT_MODEL_ORDER)
        sorts = query.sorts_for(keys, _MODEL_ATTRIBUTES, _NUMERIC)

        def tag_filter(key: str, matches: Any) -> Any:
            return _rm.c.id.in_(
                select(_rm_tags.c.model_id).where(_rm_tags.c.key == key, matches(_rm_tags.c.value))
            )

        statement = select(*_MODEL_COLUMNS).where(
            query.where(expr, _MODEL_ATTRIBUTES, {"tag": tag_filter}, self._db.dialect)
        )
        query_fp = fingerprint("registered_models", filter_string, [str(k) for k in keys])
        return query.read_page(
            self._db,
            statement,
            sorts,
            _rm.c.id,
            int,
            query_fp,
            max_results,
            page_token,
            self._models,
        )

    # -- model versions ----------------------------------------------------------------
    def create_model_version(
        self,
        name: str,
        source: str,
        storage_location: str,
        user_id: str,
        run_id: str | None = None,
        description: str = "",
        tags: Mapping[str, str] | None = None,
        run_link: str = "",
        model_id: str | None = None,
    ) -> ModelVersion:
        now = _now()
        with self._db.write() as conn:
            row = self._model_row(conn, name)
            # Bumping the counter row takes its lock (PostgreSQL) inside the write unit, so
            # concurrent registrations of one model get 1, 2, 3... and never share one.
            conn.execute(
                update(_rm)
                .where(_rm.c.id == row.id)
                .values(last_version=_rm.c.last_version + 1, last_updated_timestamp=now)
            )
            number = conn.execute(select(_rm.c.last_version).where(_rm.c.id == row.id)).scalar_one()
            result = conn.execute(
                insert(_mv).values(
                    model_id=row.id,
                    version=number,
                    creation_timestamp=now,
                    last_updated_timestamp=now,
                    description=description,
                    user_id=user_id,
                    current_stage=Stage.NONE.value,
                    source=source,
                    storage_location=storage_location,
                    run_id=run_id,
                    run_link=run_link,
                    status=VersionStatus.READY.value,
                    status_message="",
                    logged_model_id=model_id,
                )
            )
            version_id = result.inserted_primary_key[0]  # type: ignore[index]
            if tags:
                conn.execute(
                    insert(_mv_tags),
                    [{"version_id": version_id, "key": k, "value": v} for k, v in tags.items()],
                )
            return self._versions(conn, [self._version_row(conn, name, number)])[0]

    def get_model_version(self, name: str, version: int) -> ModelVersion:
        with self._db.read() as conn:
            return self._versions(conn, [self._version_row(conn, name, version)])[0]

    def update_model_version(self, name: str, version: int, description: str) -> ModelVersion:
        with self._db.write() as conn:
            row = self._version_row(conn, name, version)
            conn.execute(
                update(_mv)
                .where(_mv.c.id == row.id)
                .values(description=description, last_updated_timestamp=_now())
            )
            return self._versions(conn, [self._version_row(conn, name, version)])[0]

    def delete_model_version(self, name: str, version: int) -> None:
        """Delete one version, its tags and every alias pointing at it."""
        with self._db.write() as conn:
            row = self._version_row(conn, name, version)
            conn.execute(delete(_aliases).where(_aliases.c.version_id == row.id))
            conn.execute(delete(_mv_tags).where(_mv_tags.c.version_id == row.id))
            conn.execute(delete(_mv).where(_mv.c.id == row.id))
            model_id = conn.execute(select(_rm.c.id).where(_rm.c.name == name)).scalar_one()
            self._touch_model(conn, model_id, _now())

    def set_model_version_tag(self, name: str, version: int, key: str, value: str) -> None:
        with self._db.write() as conn:
            row = self._version_row(conn, name, version)
            statement = self._insert(_mv_tags).values(version_id=row.id, key=key, value=value)
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["version_id", "key"], set_={"value": statement.excluded.value}
                )
            )
            conn.execute(
                update(_mv).where(_mv.c.id == row.id).values(last_updated_timestamp=_now())
            )

    def delete_model_version_tag(self, name: str, version: int, key: str) -> None:
        with self._db.write() as conn:
            row = self._version_row(conn, name, version)
            deleted = conn.execute(
                delete(_mv_tags).where(_mv_tags.c.version_id == row.id, _mv_tags.c.key == key)
            )
            if deleted.rowcount == 0:
                raise NotFound(f"Version {version} of {name!r} has no tag {key!r}")
            conn.execute(
                update(_mv).where(_mv.c.id == row.id).values(last_updated_timestamp=_now())
            )

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = 1000,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[ModelVersion]:
        spec = search.MODEL_VERSIONS
        expr = search.parse_filter(spec, filter_string)
        keys = search.parse_order_by(spec, list(order_by or []) or _DEFAULT_VERSION_ORDER)
        # As MLflow: an order that leaves ties ends with name, then the highest version first.
        given = {key.identifier.key for key in keys}
        keys += [
            key
            for key in search.parse_order_by(spec, _VERSION_TIES_ORDER)
            if key.identifier.key not in given
        ]
        sorts = query.sorts_for(keys, _VERSION_ATTRIBUTES, _NUMERIC)

        def tag_filter(key: str, matches: Any) -> Any:
            return _mv.c.id.in_(
                select(_mv_tags.c.version_id).where(
                    _mv_tags.c.key == key, matches(_mv_tags.c.value)
                )
            )

        statement = (
            select(*_VERSION_COLUMNS)
            .select_from(_mv.join(_rm, _mv.c.model_id == _rm.c.id))
            .where(query.where(expr, _VERSION_ATTRIBUTES, {"tag": tag_filter}, self._db.dialect))
        )
        query_fp = fingerprint("model_versions", filter_string, [str(k) for k in keys])
        return query.read_page(
            self._db,
            statement,
            sorts,
            _mv.c.id,
            int,
            query_fp,
            max_results,
            page_token,
            self._versions,
        )

    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        """The newest version in each of ``stages`` (every stage when None), by version."""
        with self._db.read() as conn:
            row = self._model_row(conn, name)
            newest = select(func.max(_mv.c.version)).where(_mv.c.model_id == row.id)
            if stages is not None:
                newest = newest.where(_mv.c.current_stage.in_(list(stages)))
            numbers = [
                n for (n,) in conn.execute(newest.group_by(_mv.c.current_stage)) if n is not None
            ]
            rows = conn.execute(
                select(*_VERSION_COLUMNS)
                .select_from(_mv.join(_rm, _mv.c.model_id == _rm.c.id))
                .where(_mv.c.model_id == row.id, _mv.c.version.in_(numbers))
                .order_by(_mv.c.version)
            ).all()
            return self._versions(conn, rows)

    def transition_model_version_stage(
        self, name: str, version: int, stage: str, archive_existing: bool = False
    ) -> ModelVersion:
        """Move a version to ``stage``; with ``archive_existing`` (Staging/Production only),
        the model's other versions in that stage move to Archived in the same unit."""
        now = _now()
        with self._db.write() as conn:
            row = self._version_row(conn, name, version)
            model_id = conn.execute(select(_mv.c.model_id).where(_mv.c.id == row.id)).scalar_one()
            if archive_existing and stage in (Stage.STAGING.value, Stage.PRODUCTION.value):
                conn.execute(
                    update(_mv)
                    .where(
                        _mv.c.model_id == model_id,
                        _mv.c.current_stage == stage,
                        _mv.c.id != row.id,
                    )
                    .values(current_stage=Stage.ARCHIVED.value, last_updated_timestamp=now)
                )
            conn.execute(
                update(_mv)
                .where(_mv.c.id == row.id)
                .values(current_stage=stage, last_updated_timestamp=now)
            )
            self._touch_model(conn, model_id, now)
            return self._versions(conn, [self._version_row(conn, name, version)])[0]

    # -- aliases -----------------------------------------------------------------------
    def set_registered_model_alias(self, name: str, alias: str, version: int) -> None:
        """Point ``alias`` at ``version``; an alias on another version moves in one
        statement (an upsert), so readers see the old or the new version, never none."""
        with self._db.write() as conn:
            row = self._version_row(conn, name, version)
            model_id = conn.execute(select(_mv.c.model_id).where(_mv.c.id == row.id)).scalar_one()
            statement = self._insert(_aliases).values(
                model_id=model_id, alias=alias, version_id=row.id
            )
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["model_id", "alias"],
                    set_={"version_id": statement.excluded.version_id},
                )
            )
            self._touch_model(conn, model_id, _now())

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        with self._db.write() as conn:
            row = self._model_row(conn, name)
            deleted = conn.execute(
                delete(_aliases).where(_aliases.c.model_id == row.id, _aliases.c.alias == alias)
            )
            if deleted.rowcount == 0:
                raise NotFound(f"Registered model alias {alias} not found.")
            self._touch_model(conn, row.id, _now())

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        with self._db.read() as conn:
            self._model_row(conn, name)
            rows = conn.execute(
                select(*_VERSION_COLUMNS)
                .select_from(
                    _aliases.join(_mv, _mv.c.id == _aliases.c.version_id).join(
                        _rm, _rm.c.id == _aliases.c.model_id
                    )
                )
                .where(_rm.c.name == name, _aliases.c.alias == alias)
            ).all()
            if not rows:
                raise NotFound(f"Registered model alias {alias} not found.")
            return self._versions(conn, rows)[0]
