"""The notebook-server store: intent (spec, wanted state), computed names, observed status,
activity and events, on the shared :class:`~jupyter_mlops.database.engine.Database`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..database.engine import Database
from ..errors import AlreadyExists, InvalidParameter, NotFound
from ..tracking.entities import Page
from .entities import (
    BackendEvent,
    NotebookServer,
    NotebookServerSpec,
    ObjectNames,
    ServerEvent,
    ServerStatus,
)
from .models import SqlNotebookServer, SqlNotebookServerEvent

MAX_RESULTS = 1000
MESSAGE_LENGTH = 4000


def now_ms() -> int:
    return int(time.time() * 1000)


def _to_entity(row: Any) -> NotebookServer:
    # A Core row of every column (stores run Core statements on their connections).
    return NotebookServer(
        owner=row.owner,
        name=row.name,
        backend=row.backend,
        spec=NotebookServerSpec.from_dict(json.loads(row.spec)),
        names=ObjectNames(
            namespace=row.namespace,
            workload=row.workload_name,
            pvc=row.pvc_name,
            secret=row.secret_name,
        ),
        status=ServerStatus(row.status),
        reason=row.reason,
        message=row.message,
        created_at=row.created_at,
        updated_at=row.updated_at,
        started_at=row.started_at,
        stopped_at=row.stopped_at,
        last_activity=row.last_activity,
        runtime=json.loads(row.runtime),
    )


def _columns(server: NotebookServer) -> dict[str, Any]:
    return {
        "backend": server.backend,
        "spec": json.dumps(server.spec.to_dict(), sort_keys=True),
        "namespace": server.names.namespace,
        "workload_name": server.names.workload,
        "pvc_name": server.names.pvc,
        "secret_name": server.names.secret,
        "status": server.status.value,
        "reason": server.reason[:64],
        "message": server.message[:MESSAGE_LENGTH],
        "runtime": json.dumps(server.runtime, sort_keys=True),
        "started_at": server.started_at,
        "stopped_at": server.stopped_at,
        "last_activity": server.last_activity,
    }


class SqlNotebookStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    def create(self, server: NotebookServer) -> NotebookServer:
        now = now_ms()
        server.created_at = server.updated_at = now
        try:
            with self.database.write() as conn:
                conn.execute(
                    insert(SqlNotebookServer).values(
                        owner=server.owner,
                        name=server.name,
                        created_at=now,
                        updated_at=now,
                        **_columns(server),
                    )
                )
        except IntegrityError:
            raise AlreadyExists(
                f"{server.owner} already has a notebook server named {server.name!r}",
                field="name",
            ) from None
        return server

    def find(self, owner: str, name: str) -> NotebookServer | None:
        with self.database.read() as conn:
            row = conn.execute(
                select(SqlNotebookServer).where(
                    SqlNotebookServer.owner == owner, SqlNotebookServer.name == name
                )
            ).first()
        return _to_entity(row) if row else None

    def get(self, owner: str, name: str) -> NotebookServer:
        server = self.find(owner, name)
        if server is None:
            raise NotFound(f"no notebook server {owner}/{name}")
        return server

    def search(
        self,
        owner: str | None = None,
        statuses: Iterable[ServerStatus] | None = None,
        max_results: int = MAX_RESULTS,
        page_token: str | None = None,
    ) -> Page[NotebookServer]:
        if not 1 <= max_results <= MAX_RESULTS:
            raise InvalidParameter(
                f"max_results must be between 1 and {MAX_RESULTS}", field="max_results"
            )
        offset = 0
        if page_token:
            try:
                offset = int(page_token)
                if offset < 0:
                    raise ValueError
            except ValueError:
                raise InvalidParameter("page_token is not valid", field="page_token") from None
        query = select(SqlNotebookServer).order_by(SqlNotebookServer.owner, SqlNotebookServer.name)
        if owner is not None:
            query = query.where(SqlNotebookServer.owner == owner)
        if statuses is not None:
            query = query.where(SqlNotebookServer.status.in_([s.value for s in statuses]))
        with self.database.read() as conn:
            rows = conn.execute(query.offset(offset).limit(max_results + 1)).all()
        items = [_to_entity(r) for r in rows[:max_results]]
        token = str(offset + max_results) if len(rows) > max_results else None
        return Page(items, token)

    def owners(self) -> list[str]:
        with self.database.read() as conn:
            return [
                r[0]
                for r in conn.execute(
                    select(SqlNotebookServer.owner).distinct().order_by(SqlNotebookServer.owner)
                )
            ]

    def save(self, server: NotebookServer) -> NotebookServer:
        """Write every mutable field of ``server``."""
        server.updated_at = now_ms()
        with self.database.write() as conn:
            result = conn.execute(
                update(SqlNotebookServer)
                .where(
                    SqlNotebookServer.owner == server.owner, SqlNotebookServer.name == server.name
                )
                .values(updated_at=server.updated_at, **_columns(server))
            )
        if result.rowcount == 0:
            raise NotFound(f"no notebook server {server.owner}/{server.name}")
        return server

    def delete(self, owner: str, name: str) -> None:
        with self.database.write() as conn:
            server_id = self._id(conn, owner, name)
            conn.execute(
                delete(SqlNotebookServerEvent).where(SqlNotebookServerEvent.server_id == server_id)
            )
            conn.execute(delete(SqlNotebookServer).where(SqlNotebookServer.id == server_id))

    @staticmethod
    def _id(conn: Any, owner: str, name: str) -> int:
        server_id = conn.execute(
            select(SqlNotebookServer.id).where(
                SqlNotebookServer.owner == owner, SqlNotebookServer.name == name
            )
        ).scalar()
        if server_id is None:
            raise NotFound(f"no notebook server {owner}/{name}")
        return int(server_id)

    # -- events ----------------------------------------------------------------------------
    def add_event(
        self, owner: str, name: str, reason: str, message: str, type_: str = "Normal"
    ) -> None:
        self.add_events(owner, name, [BackendEvent("", now_ms(), type_, reason, message)])

    def add_events(self, owner: str, name: str, events: Iterable[BackendEvent]) -> int:
        """Record events; those whose ``key`` was recorded before are skipped."""
        events = list(events)
        if not events:
            return 0
        added = 0
        with self.database.write() as conn:
            server_id = self._id(conn, owner, name)
            keys = [e.key for e in events if e.key]
            known: set[str | None] = set()
            if keys:
                known = {
                    r[0]
                    for r in conn.execute(
                        select(SqlNotebookServerEvent.source_key).where(
                            SqlNotebookServerEvent.server_id == server_id,
                            SqlNotebookServerEvent.source_key.in_(keys),
                        )
                    )
                }
            for event in events:
                if event.key and event.key in known:
                    continue
                known.add(event.key)
                conn.execute(
                    insert(SqlNotebookServerEvent).values(
                        server_id=server_id,
                        timestamp=event.timestamp,
                        type=event.type[:16],
                        reason=event.reason[:64],
                        message=event.message[:MESSAGE_LENGTH],
                        source_key=event.key or None,
                    )
                )
                added += 1
        return added

    def events(self, owner: str, name: str, since: int = 0, limit: int = 500) -> list[ServerEvent]:
        with self.database.read() as conn:
            server_id = self._id(conn, owner, name)
            rows = conn.execute(
                select(SqlNotebookServerEvent)
                .where(
                    SqlNotebookServerEvent.server_id == server_id,
                    SqlNotebookServerEvent.id > since,
                )
                .order_by(SqlNotebookServerEvent.id)
                .limit(limit)
            ).all()
        return [ServerEvent(r.id, r.timestamp, r.type, r.reason, r.message) for r in rows]

    def count(self, owner: str) -> int:
        with self.database.read() as conn:
            return int(
                conn.execute(select(func.count()).where(SqlNotebookServer.owner == owner)).scalar()
                or 0
            )
