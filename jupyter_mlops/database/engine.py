"""Engine, units of work and schema migration of the database every store shares.

SQLite runs in WAL mode with a 30 s busy timeout. pysqlite's own transaction handling
is switched off (SQLAlchemy's documented recipe) so that we emit BEGIN ourselves: write
units start with ``BEGIN IMMEDIATE``, taking the write lock up front, so that waiting
writers queue in the busy handler instead of failing with "database is locked" when a
deferred reader tries to upgrade its lock.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The newest migration's revision. Checked against the scripts by a test; kept here so
# that opening an up-to-date database never imports Alembic.
HEAD_REVISION = "0008"

BUSY_TIMEOUT_S = 30
# Arbitrary constant naming our pg_advisory_xact_lock.
_PG_MIGRATION_LOCK = 7_362_205_118


class Database:
    """One engine plus the two kinds of unit of work: :meth:`read` and :meth:`write`."""

    def __init__(self, uri: str) -> None:
        url = make_url(uri)
        self.dialect = url.get_backend_name()
        if self.dialect == "sqlite":
            database = url.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                # A new folder is private (0700): no other account reads the database.
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.engine = create_engine(
                url,
                connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
            )
            _configure_sqlite(self.engine)
        else:
            self.engine = create_engine(url, pool_pre_ping=True)
        # Connections from this view start their transaction with BEGIN IMMEDIATE on SQLite.
        self._write_engine = self.engine.execution_options(mlops_begin="BEGIN IMMEDIATE")
        sqlite = self.dialect == "sqlite"
        self._read_begin = "BEGIN" if sqlite else None
        self._write_begin = "BEGIN IMMEDIATE" if sqlite else None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only unit of work: one connection, one (deferred) transaction."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write unit of work: committed on success, rolled back on any exception."""
        with self._write_engine.begin() as conn:
            yield conn

    @contextmanager
    def raw_read(self) -> Iterator[Any]:
        """A read unit of work on the bare DBAPI cursor, for the hottest lookups.

        SQLAlchemy's per-statement machinery (events, execution context, result wrapping)
        costs several times a small indexed query; these paths run driver SQL (see
        ``metric_sql.driver_sql``) and need none of it. DBAPI errors are not wrapped.
        """
        with self._raw(self._read_begin) as cursor:
            yield cursor

    @contextmanager
    def raw_write(self) -> Iterator[Any]:
        """:meth:`write` on the bare DBAPI cursor (see :meth:`raw_read`)."""
        with self._raw(self._write_begin) as cursor:
            yield cursor

    @contextmanager
    def _raw(self, begin: str | None) -> Iterator[Any]:
        connection = self.engine.raw_connection()  # from the pool; close() gives it back
        try:
            cursor = connection.cursor()
            try:
                # pysqlite's own transaction handling is off (see _configure_sqlite), so
                # SQLite needs an explicit BEGIN; psycopg opens a transaction by itself.
                if begin is not None:
                    cursor.execute(begin)
                yield cursor
            except BaseException:
                connection.rollback()
                raise
            else:
                connection.commit()
            finally:
                cursor.close()
        finally:
            connection.close()

    def upgrade(self) -> None:
        """Bring the schema to the newest migration; cheap when it is already there.

        Concurrent openers (several processes on a fresh SQLite file) serialise on an
        exclusive lock and re-check the revision once they hold it.
        """
        with self.engine.connect() as conn:
            if _current_revision(conn) == HEAD_REVISION:
                conn.rollback()
                return
            conn.rollback()
        begin = "BEGIN EXCLUSIVE" if self.dialect == "sqlite" else None
        with self.engine.execution_options(mlops_begin=begin).begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            if _current_revision(conn) == HEAD_REVISION:
                return
            _run_alembic_upgrade(conn)

    def dispose(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event (below) own transaction boundaries.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
            _enable_wal(cursor)
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get("mlops_begin") or "BEGIN")


def _enable_wal(cursor: Any) -> None:
    """Switch the file to WAL (persistent, so normally a no-op).

    The switch on a fresh file fails with "database is locked" at once, without the
    busy handler, when several processes try it together; retry until the timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    delay = 0.002
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _current_revision(conn: Connection) -> str | None:
    """The database's Alembic revision, or None before the first migration."""
    if conn.dialect.name == "postgresql":
        # A failed SELECT would abort a PostgreSQL transaction; ask the catalog first.
        exists = conn.execute(text("SELECT to_regclass('alembic_version') IS NOT NULL")).scalar()
        if not exists:
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def _run_alembic_upgrade(conn: Connection) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def alembic_config() -> Any:
    """An Alembic Config for our migrations; no alembic.ini needed."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config
