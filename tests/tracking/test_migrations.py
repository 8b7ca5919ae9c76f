"""The migrations build exactly the schema the ORM models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from jupyter_mlops.database.engine import HEAD_REVISION, alembic_config
from jupyter_mlops.database.schema import include_object_for, metadata
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
            indexes = {ix["name"] for ix in inspect(conn).get_indexes("metrics")}
            assert "ix_metrics_run_key_step" in indexes
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
