"""The migrations build exactly the schema the ORM models describe, on both databases."""

from __future__ import annotations

import math

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from jupyter_mlops.database.engine import HEAD_REVISION, alembic_config
from jupyter_mlops.database.schema import include_object_for, metadata
from jupyter_mlops.tracking.entities import Metric
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore


def test_head_revision_constant_matches_the_scripts() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


def test_migrated_schema_matches_the_models(mlops_empty_database_uri: str) -> None:
    SqlTrackingStore(mlops_empty_database_uri).close()

    engine = create_engine(mlops_empty_database_uri)
    try:
        with engine.connect() as conn:
            opts = {"compare_type": True, "include_object": include_object_for(conn.dialect.name)}
            context = MigrationContext.configure(conn, opts=opts)
            assert context.get_current_revision() == HEAD_REVISION
            assert compare_metadata(context, metadata) == []
            indexes = {ix["name"] for ix in inspect(conn).get_indexes("latest_metrics")}
            assert "ix_latest_metrics_key_value" in indexes
    finally:
        engine.dispose()


def test_fresh_database_has_default_experiment_and_ids_start_at_1(
    mlops_empty_database_uri: str,
) -> None:
    store = SqlTrackingStore(mlops_empty_database_uri)
    try:
        assert store.get_experiment("0").name == "Default"
        assert store.create_experiment("first", "alice").experiment_id == "1"
        assert store.create_experiment("second", "alice").experiment_id == "2"
    finally:
        store.close()


def test_opening_a_migrated_database_again_changes_nothing(mlops_empty_database_uri: str) -> None:
    store = SqlTrackingStore(mlops_empty_database_uri)
    run_id = store.create_run("0", "alice").info.run_id
    store.close()

    again = SqlTrackingStore(mlops_empty_database_uri)
    try:
        assert again.get_run(run_id).info.run_id == run_id
        assert [e.name for e in again.search_experiments().items] == ["Default"]
    finally:
        again.close()


def test_metric_series_migration_keeps_every_point_and_numbers_on(
    mlops_empty_database_uri: str,
) -> None:
    """Given a database from before metric series (revision 0004) with points logged,
    when the store opens it, every point survives in order (repeats and NaN included)
    and new points continue the series."""
    from alembic import command
    from sqlalchemy import text

    from jupyter_mlops.database.engine import Database

    old = Database(mlops_empty_database_uri)
    with old.engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
        conn.execute(
            text(
                "INSERT INTO runs (run_id, experiment_id, name, status, start_time, user_id,"
                " lifecycle_stage, artifact_uri, deleted_with_experiment)"
                " VALUES ('r1', 0, 'old', 'RUNNING', 1, 'alice', 'active', '0/r1/artifacts', :f)"
            ),
            {"f": False},
        )
        points = [(0, 10, 1.0), (1, 11, None), (1, 11, None), (2, 12, 0.5)]
        for step, timestamp, value in points:
            conn.execute(
                text(
                    "INSERT INTO metrics (run_id, key, step, timestamp, value)"
                    " VALUES ('r1', 'loss', :s, :t, :v)"
                ),
                {"s": step, "t": timestamp, "v": value},
            )
        conn.execute(
            text(
                "INSERT INTO latest_metrics (run_id, key, value, step, timestamp, min_value,"
                " max_value) VALUES ('r1', 'loss', 0.5, 2, 12, 0.5, 1.0)"
            )
        )
    old.dispose()

    store = SqlTrackingStore(mlops_empty_database_uri)
    try:
        history = [(m.step, m.timestamp, m.value) for m in store.get_metric_history("r1", "loss")]
        assert [h[:2] for h in history] == [(0, 10), (1, 11), (1, 11), (2, 12)]
        assert history[0][2] == 1.0 and history[3][2] == 0.5
        assert all(math.isnan(h[2]) for h in history[1:3])

        # The same (step, timestamp) again must not collide with the migrated points.
        store.log_batch("r1", metrics=[Metric("loss", 0.25, 11, 1), Metric("acc", 0.9, 13, 3)])
        assert len(store.get_metric_history("r1", "loss")) == 5
        assert store.get_run("r1").metrics["loss"].min == 0.25
        assert [m.value for m in store.get_metric_history("r1", "acc")] == [0.9]
    finally:
        store.close()


def test_every_migration_downgrades_and_upgrades_again(mlops_empty_database_uri: str) -> None:
    """An operator can step back to an empty schema and forward again, on both databases."""
    from alembic import command

    from jupyter_mlops.database.engine import Database

    SqlTrackingStore(mlops_empty_database_uri).close()
    database = Database(mlops_empty_database_uri)
    try:
        with database.engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
            assert inspect(conn).get_table_names() == ["alembic_version"]
            command.upgrade(config, "head")
            context = MigrationContext.configure(
                conn, opts={"include_object": include_object_for(conn.dialect.name)}
            )
            assert context.get_current_revision() == HEAD_REVISION
            assert compare_metadata(context, metadata) == []
    finally:
        database.dispose()
