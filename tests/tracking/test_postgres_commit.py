"""PostgreSQL's metric writes: one round trip, a commit that does not wait for the disk,
and nothing else relaxed (issue #13, item 5).

Observed through the real database: triggers on the store's tables record, for every row
written, the ``synchronous_commit`` its transaction commits with and the server process
that wrote it.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

from jupyter_mlops.database import engine as database_engine
from jupyter_mlops.errors import InvalidState, NotFound
from jupyter_mlops.tracking.entities import LifecycleStage, Metric
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore

pytestmark = pytest.mark.postgres

WATCHED = ("runs", "params", "tags", "metric_points", "latest_metrics")


@pytest.fixture(scope="module")
def mlops_pg_schema(mlops_postgres_uri: str) -> Iterator[tuple[str, Engine]]:
    """(URI, AUTOCOMMIT engine) of a fresh schema of the session database; dropped after."""
    schema = f"commit_{uuid.uuid4().hex[:12]}"
    admin = create_engine(mlops_postgres_uri, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(mlops_postgres_uri).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False), admin
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module")
def mlops_pg_store(mlops_pg_schema: tuple[str, Engine]) -> Iterator[SqlTrackingStore]:
    """A store on the schema, its tables watched by the commit_log triggers."""
    uri, _ = mlops_pg_schema
    store = SqlTrackingStore(uri)  # migrates: the tables exist from here on
    watcher = create_engine(uri, isolation_level="AUTOCOMMIT")
    with watcher.connect() as conn:
        conn.execute(
            text(
                "CREATE TABLE commit_log (id bigserial PRIMARY KEY, table_name text,"
                " synchronous_commit text, pid int)"
            )
        )
        conn.execute(
            text(
                "CREATE FUNCTION log_commit_mode() RETURNS trigger LANGUAGE plpgsql AS $$"
                " BEGIN INSERT INTO commit_log (table_name, synchronous_commit, pid) VALUES"
                " (TG_TABLE_NAME, current_setting('synchronous_commit'), pg_backend_pid());"
                " RETURN NULL; END $$"
            )
        )
        for table in WATCHED:
            conn.execute(
                text(
                    f"CREATE TRIGGER log_commit_mode AFTER INSERT OR UPDATE ON {table}"
                    " FOR EACH ROW EXECUTE FUNCTION log_commit_mode()"
                )
            )
    watcher.dispose()
    yield store
    store.close()


def commit_log(uri: str, after: int = 0) -> list[tuple[int, str, str, int]]:
    engine = create_engine(uri)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, table_name, synchronous_commit, pid FROM commit_log WHERE id > :after"
                " ORDER BY id"
            ),
            {"after": after},
        ).all()
    engine.dispose()
    return [(row[0], row[1], row[2], row[3]) for row in rows]


def last_id(uri: str) -> int:
    log = commit_log(uri)
    return log[-1][0] if log else 0


def test_only_metric_batches_commit_without_waiting_for_the_disk(
    mlops_pg_store: SqlTrackingStore, mlops_pg_schema: tuple[str, Engine]
) -> None:
    uri, _ = mlops_pg_schema
    # Given a run created and written to through one store, one call after another
    start = last_id(uri)
    run_id = mlops_pg_store.create_run("0", "alice").info.run_id
    created = last_id(uri)
    # When it logs a metric batch, then a param, a tag, and a batch of metrics with a param
    mlops_pg_store.log_batch(run_id, metrics=[Metric("loss", 0.5, 1, 0), Metric("acc", 0.1, 1, 0)])
    metrics_alone = last_id(uri)
    mlops_pg_store.log_batch(run_id, params={"lr": "0.1"})
    mlops_pg_store.log_batch(run_id, tags={"note": "x"})
    mlops_pg_store.log_batch(run_id, metrics=[Metric("loss", 0.4, 2, 1)], params={"bs": "32"})
    log = commit_log(uri, start)
    # Then the metric-only batch wrote its points and summaries with synchronous_commit off
    relaxed = [row for row in log if created < row[0] <= metrics_alone]
    assert {(table, mode) for _, table, mode, _ in relaxed} == {
        ("latest_metrics", "off"),
        ("metric_points", "off"),
    }
    assert len([row for row in relaxed if row[1] == "metric_points"]) == 2
    # ... and every other write, before and after on the same connection, kept it on
    others = [row for row in log if not created < row[0] <= metrics_alone]
    assert {table for _, table, _, _ in others} >= {"runs", "params", "tags", "metric_points"}
    assert {mode for _, _, mode, _ in others} == {"on"}
    assert len({pid for *_, pid in log}) == 1  # one pooled connection: the setting did not leak


def test_a_metric_batch_for_a_deleted_or_missing_run_is_refused_and_stores_nothing(
    mlops_pg_store: SqlTrackingStore, mlops_pg_schema: tuple[str, Engine]
) -> None:
    uri, _ = mlops_pg_schema
    run_id = mlops_pg_store.create_run("0", "alice").info.run_id
    mlops_pg_store.set_run_lifecycle(run_id, LifecycleStage.DELETED)
    before = last_id(uri)
    with pytest.raises(InvalidState, match=run_id):
        mlops_pg_store.log_batch(run_id, metrics=[Metric("loss", 0.5, 1, 0)])
    missing = uuid.uuid4().hex
    with pytest.raises(NotFound, match=missing):
        mlops_pg_store.log_batch(missing, metrics=[Metric("loss", 0.5, 1, 0)])
    assert commit_log(uri, before) == []
    mlops_pg_store.set_run_lifecycle(run_id, LifecycleStage.ACTIVE)
    assert mlops_pg_store.get_run(run_id).metrics == {}
    assert mlops_pg_store.get_metric_history(run_id, "loss") == []


def test_keys_and_values_round_trip_exactly(mlops_pg_store: SqlTrackingStore) -> None:
    # The batch travels as array literals: quoting and float text must lose nothing.
    run_id = mlops_pg_store.create_run("0", "alice").info.run_id
    keys = ['a "quoted" key', "back\\slash", "{braces},commas", "NULL", "ünï cødé/x y"]
    values = [math.inf, -math.inf, math.nan, -0.0, 5e-324, 0.1 + 0.2, 1e308]
    steps = [-(2**63), 2**63 - 1, 0, -1, 7, 8, 9]
    batch = [
        Metric(key, value, 1_700_000_000_000 + i, step)
        for key in keys
        for i, (value, step) in enumerate(zip(values, steps, strict=True))
    ]
    mlops_pg_store.log_batch(run_id, metrics=batch)
    run = mlops_pg_store.get_run(run_id)
    assert set(run.metrics) == set(keys)
    for key in keys:
        history = mlops_pg_store.get_metric_history(run_id, key)
        assert [(m.step, m.timestamp) for m in history] == sorted(
            (s, 1_700_000_000_000 + i) for i, s in enumerate(steps)
        )
        stored = {m.step: m.value for m in history}
        for value, step in zip(values, steps, strict=True):
            if math.isnan(value):
                assert math.isnan(stored[step])
            else:
                assert stored[step] == value and math.copysign(1, stored[step]) == math.copysign(
                    1, value
                )
        summary = run.metrics[key]
        assert (summary.step, summary.value) == (2**63 - 1, values[1])
        assert (summary.min, summary.max) == (-math.inf, math.inf)


def test_a_connection_ended_by_the_server_is_replaced(
    mlops_pg_store: SqlTrackingStore, mlops_pg_schema: tuple[str, Engine]
) -> None:
    uri, admin = mlops_pg_schema
    run_id = mlops_pg_store.create_run("0", "alice").info.run_id
    pid = commit_log(uri)[-1][3]

    def log(step: int) -> None:
        mlops_pg_store.log_batch(run_id, metrics=[Metric("loss", 0.5, 1, step)])

    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    # In steady use the pool skips the ping: the next call may fail, once, and then the
    # broken connection is out of the pool.
    try:
        log(0)
        failed = 0
    except (OperationalError, psycopg.OperationalError):  # the bare-cursor paths: psycopg's
        failed = 1
    log(1)
    # After a pause, a dead connection is found by the ping and the call succeeds.
    pid = commit_log(uri)[-1][3]
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    time.sleep(database_engine.PING_AFTER_IDLE_S + 0.2)
    log(2)
    steps = [m.step for m in mlops_pg_store.get_metric_history(run_id, "loss")]
    assert steps == [0, 1, 2][failed:]


def test_the_one_round_trip_write_keeps_the_services_rules(
    mlops_pg_store: SqlTrackingStore, tmp_path
) -> None:
    """A synchronous log_metric on PostgreSQL checks owner, state and existence inside its
    one statement; each refusal still raises the error the service always raised, and
    stores nothing."""
    from jupyter_mlops.errors import PermissionDenied
    from jupyter_mlops.tracking.artifacts import LocalArtifactRepository
    from jupyter_mlops.tracking.entities import RunStatus
    from jupyter_mlops.tracking.service import TrackingService

    service = TrackingService(mlops_pg_store, LocalArtifactRepository(tmp_path), ("root",))
    point = [Metric("loss", 0.5, 1000, 0)]

    def points(run_id: str) -> int:
        return len(mlops_pg_store.get_metric_history(run_id, "loss"))

    alices = service.create_run("alice", "0").info.run_id
    service.log_batch("alice", alices, metrics=point)  # hers: stored
    service.log_batch("root", alices, metrics=point)  # an admin: stored
    with pytest.raises(PermissionDenied):
        service.log_batch("bob", alices, metrics=point)
    assert points(alices) == 2

    finished = service.create_run("alice", "0").info.run_id
    service.update_run("alice", finished, status=RunStatus.FINISHED)
    with pytest.raises(InvalidState, match="FINISHED"):
        service.log_batch("alice", finished, metrics=point)
    deleted = service.create_run("alice", "0").info.run_id
    service.delete_run("alice", deleted)
    with pytest.raises(InvalidState, match="deleted"):
        service.log_batch("alice", deleted, metrics=point)
    with pytest.raises(NotFound):
        service.log_batch("alice", uuid.uuid4().hex, metrics=point)
    assert points(finished) == 0 and points(deleted) == 0
