"""Scratch PostgreSQL databases for the benchmarks: made for one run, dropped after it.

The server is the one the test suite uses (``JUPYTER_MLOPS_TEST_POSTGRES``, by default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``, trust auth); ``.ci/setup`` starts
one where none runs. Each database is created from that maintenance URI and dropped with
``WITH (FORCE)``, which also ends the connections of a server process still holding some.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

DEFAULT_ADMIN_URI = os.environ.get(
    "JUPYTER_MLOPS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextlib.contextmanager
def scratch_databases(admin_uri: str, names: list[str]) -> Iterator[dict[str, str]]:
    """A fresh database per name, {name: URI}; all dropped on exit."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    admin = create_engine(
        admin_uri, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    made: dict[str, str] = {}
    try:
        try:
            with admin.connect() as conn:
                for name in names:
                    database = f"mlops_bench_{name}_{uuid.uuid4().hex[:8]}"
                    conn.execute(text(f'CREATE DATABASE "{database}"'))
                    made[name] = database
        except OperationalError as exc:
            raise SystemExit(
                f"PostgreSQL at {admin_uri} does not answer ({exc.orig}); start it, point "
                "--postgres at another server, or leave it out with --no-postgres"
            ) from exc
        url = make_url(admin_uri)
        yield {
            name: url.set(database=database).render_as_string(hide_password=False)
            for name, database in made.items()
        }
    finally:
        with admin.connect() as conn:
            for database in made.values():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def settle_after_seeding(uri: str) -> None:
    """After rows were inserted through SQL (seeding): move the sequence that draws new
    series ids past the ones inserted by hand, and refresh the planner's statistics, as
    autovacuum would within a minute on a live server."""
    from sqlalchemy import create_engine, text

    engine = create_engine(uri)
    with engine.begin() as conn:
        conn.execute(
            text(
                "SELECT setval('latest_metrics_series_id_seq',"
                " (SELECT coalesce(max(series_id), 1) FROM latest_metrics))"
            )
        )
        conn.execute(text("ANALYZE"))
    engine.dispose()
