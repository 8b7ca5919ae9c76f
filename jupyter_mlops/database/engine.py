"""Engine, units of work and schema migration of the database every store shares.

SQLite runs in WAL mode with a 30 s busy timeout. pysqlite's own transaction handling
is switched off (SQLAlchemy's documented recipe) so that we emit BEGIN ourselves: write
units start with ``BEGIN IMMEDIATE``, taking the write lock up front, so that waiting
writers queue in the busy handler instead of failing with "database is locked" when a
deferred reader tries to upgrade its lock.

PostgreSQL is another process: every round trip costs a wake-up of each side (0.1 to 0.2 ms
on a loaded machine, more than most of our statements), so the hot paths count them. A
pooled connection is pinged before use only after it sat idle (``PING_AFTER_IDLE_S``),
:meth:`Database.raw_read` runs without BEGIN and COMMIT, and
:meth:`Database.write_statement` makes one statement a transaction in one round trip.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The newest migration's revision. Checked against the scripts by a test; kept here so
# that opening an up-to-date database never imports Alembic.
HEAD_REVISION = "0010"

BUSY_TIMEOUT_S = 30
# PostgreSQL: a pooled connection idle for longer than this is pinged (one round trip)
# before use, so that one dropped while idle (a server restart, an idle timeout of the
# server or a proxy) is replaced instead of failing the call; SQLAlchemy's pool_pre_ping
# pings at every checkout, which was two of a synchronous log_metric's eleven round trips.
# A connection in steady use skips it: one the driver already knows is broken is replaced
# without a ping, and one that broke less than a second after its last use fails its call
# (as pre-ping's would, had it broken a moment later) and is then replaced.
PING_AFTER_IDLE_S = 1.0
_CHECKED_IN_AT = "mlops_checked_in_at"
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
            self.engine = create_engine(url)
            _ping_idle_connections(self.engine)
        # Connections from this view start their transaction with BEGIN IMMEDIATE on SQLite.
        self._write_engine = self.engine.execution_options(mlops_begin="BEGIN IMMEDIATE")
        sqlite = self.dialect == "sqlite"
        self._read_begin = "BEGIN" if sqlite else None
        self._write_begin = "BEGIN IMMEDIATE" if sqlite else None
        # PostgreSQL through psycopg 3, the driver we ship: raw_read and write_statement
        # save round trips with its autocommit and RawCursor.
        self.psycopg = self.engine.dialect.driver == "psycopg"

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

        On PostgreSQL the statements run in autocommit, each its own transaction: at READ
        COMMITTED, PostgreSQL's and our level, every statement of a transaction takes a
        snapshot of its own anyway, so BEGIN and COMMIT (two of a lookup's three round
        trips) bought nothing.
        """
        if not self.psycopg:
            with self._raw(self._read_begin) as cursor:
                yield cursor
            return
        with self._autocommit(raw_placeholders=False) as cursor:
            yield cursor

    @contextmanager
    def raw_write(self) -> Iterator[Any]:
        """:meth:`write` on the bare DBAPI cursor (see :meth:`raw_read`)."""
        with self._raw(self._write_begin) as cursor:
            yield cursor

    def write_statement(self, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
        """Run one write statement as a transaction of its own and return its first row
        (None when it returns none): on PostgreSQL in autocommit, one round trip instead of
        the four of BEGIN, statement, COMMIT and the statement's own.

        ``sql`` is driver SQL: with psycopg, ``$1``, ``$2``, ... placeholders (sent as is
        through its RawCursor, which skips the placeholder parsing that psycopg caches only
        for statements under 4 kB); otherwise the driver's paramstyle.
        """
        if not self.psycopg:
            with self.raw_write() as cursor:
                cursor.execute(sql, params)
                return _first_row(cursor)
        with self._autocommit(raw_placeholders=True) as cursor:
            cursor.execute(sql, params, prepare=True)
            return _first_row(cursor)

    @contextmanager
    def _autocommit(self, raw_placeholders: bool) -> Iterator[Any]:
        """A psycopg cursor whose every statement commits by itself."""
        connection = self.engine.raw_connection()  # from the pool; close() gives it back
        try:
            driver: Any = connection.driver_connection  # psycopg's Connection
            driver.autocommit = True  # a local switch: no round trip
            try:
                cursor = _raw_cursor(driver) if raw_placeholders else driver.cursor()
                try:
                    yield cursor
                finally:
                    cursor.close()
            except BaseException:
                if driver.broken:
                    connection.invalidate()  # not back into the pool
                raise
            finally:
                if not driver.closed:
                    driver.autocommit = False  # the pool's other users expect transactions
        finally:
            connection.close()

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
                _rollback_or_invalidate(connection)
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


def _raw_cursor(driver: Any) -> Any:
    from psycopg import RawCursor  # imported only where PostgreSQL is used

    return RawCursor(driver)


def _first_row(cursor: Any) -> tuple[Any, ...] | None:
    return cursor.fetchone() if cursor.description is not None else None


def _rollback_or_invalidate(connection: Any) -> None:
    """Undo a failed unit of work; a connection that broke is dropped from the pool."""
    driver: Any = connection.driver_connection
    if getattr(driver, "broken", False):
        connection.invalidate()
    else:
        connection.rollback()


def _ping_idle_connections(engine: Engine) -> None:
    """Pessimistic disconnect handling (SQLAlchemy's pool_pre_ping) for connections that
    sat idle in the pool; see ``PING_AFTER_IDLE_S``. Raising DisconnectionError at
    checkout makes the pool replace the connection and try again."""

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        if getattr(dbapi_conn, "broken", False) or dbapi_conn.closed:
            raise DisconnectionError("the connection broke")
        idle = time.monotonic() - record.info.get(_CHECKED_IN_AT, 0.0)
        if idle <= PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"the connection did not answer a ping: {exc}") from exc


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
