"""Initial tracking schema, with the Default experiment (id 0)."""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

from jupyter_mlops.database.migrations.ddl import (
    create_metrics_table,
    foreign_key,
    millis,
    on_postgresql,
    owner_column,
    primary_key,
)

revision = "0001"
down_revision = None


def upgrade() -> None:
    experiments = op.create_table(
        "experiments",
        sa.Column("experiment_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        owner_column(),
        sa.Column("artifact_location", sa.String(1000), nullable=False),
        sa.Column("lifecycle_stage", sa.String(32), nullable=False),
        millis("creation_time"),
        millis("last_update_time"),
        primary_key("experiments", "experiment_id"),
        sa.UniqueConstraint("name", name="uq_experiments_name"),
    )
    op.create_index(
        "ix_experiments_stage_created",
        "experiments",
        ["lifecycle_stage", "creation_time", "experiment_id"],
    )
    op.create_table(
        "experiment_tags",
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        foreign_key("experiment_tags", "experiment_id", "experiments.experiment_id"),
        primary_key("experiment_tags", "experiment_id", "key"),
    )
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(250), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        millis("start_time"),
        millis("end_time", nullable=True),
        sa.Column("user_id", sa.String(256), nullable=False),
        sa.Column("parent_run_id", sa.String(32), nullable=True),
        sa.Column("lifecycle_stage", sa.String(32), nullable=False),
        sa.Column("artifact_uri", sa.String(1000), nullable=False),
        millis("deleted_time", nullable=True),
        sa.Column(
            "deleted_with_experiment", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        foreign_key("runs", "experiment_id", "experiments.experiment_id"),
        primary_key("runs", "run_id"),
    )
    op.create_index(
        "ix_runs_experiment_stage_start", "runs", ["experiment_id", "lifecycle_stage", "start_time"]
    )
    op.create_index("ix_runs_stage_start", "runs", ["lifecycle_stage", "start_time"])
    op.create_index("ix_runs_parent_run_id", "runs", ["parent_run_id"])

    for table, value_type in (("params", sa.String(8000)), ("tags", sa.Text())):
        op.create_table(
            table,
            sa.Column("run_id", sa.String(32), nullable=False),
            sa.Column("key", sa.String(250), nullable=False),
            sa.Column("value", value_type, nullable=False),
            foreign_key(table, "run_id", "runs.run_id"),
            primary_key(table, "run_id", "key"),
        )
        # PostgreSQL's btree rejects index rows over ~2.7 kB; values may be longer.
        if on_postgresql():
            op.create_index(f"ix_{table}_key", table, ["key"])
        else:
            op.create_index(f"ix_{table}_key_value", table, ["key", "value"])

    create_metrics_table()
    op.create_table(
        "latest_metrics",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("step", sa.BigInteger(), nullable=False),
        millis("timestamp"),
        sa.Column("min_value", sa.Double(), nullable=True),
        sa.Column("max_value", sa.Double(), nullable=True),
        foreign_key("latest_metrics", "run_id", "runs.run_id"),
        primary_key("latest_metrics", "run_id", "key"),
    )
    op.create_index("ix_latest_metrics_key_value", "latest_metrics", ["key", "value"])
    op.create_index("ix_latest_metrics_key_min", "latest_metrics", ["key", "min_value"])
    op.create_index("ix_latest_metrics_key_max", "latest_metrics", ["key", "max_value"])

    # The Default experiment. An explicit id does not advance PostgreSQL's sequence, so
    # the first created experiment still gets id 1 (SQLite takes max(rowid) + 1).
    now = int(time.time() * 1000)
    op.bulk_insert(
        experiments,
        [
            {
                "experiment_id": 0,
                "name": "Default",
                "description": "",
                "owner": "",
                "artifact_location": "0",
                "lifecycle_stage": "active",
                "creation_time": now,
                "last_update_time": now,
            }
        ],
    )


def downgrade() -> None:
    for table in (
        "latest_metrics",
        "metrics",
        "tags",
        "params",
        "runs",
        "experiment_tags",
        "experiments",
    ):
        op.drop_table(table)
