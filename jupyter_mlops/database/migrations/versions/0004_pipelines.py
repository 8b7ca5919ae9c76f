"""Pipelines: pipeline specs, pipeline runs, step runs, schedules."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jupyter_mlops.database.migrations.ddl import (
    foreign_key,
    millis,
    owner_column,
    primary_key,
    surrogate_key,
)

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "pipelines",
        surrogate_key("pipeline_id"),
        sa.Column("name", sa.String(63), nullable=False),
        owner_column(),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("source_path", sa.String(1000), nullable=True),
        millis("created_time"),
        millis("updated_time"),
        primary_key("pipelines", "pipeline_id"),
        sa.UniqueConstraint("owner", "name", name="uq_pipelines_owner_name"),
    )
    op.create_table(
        "pipeline_runs",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(63), nullable=False),
        owner_column(),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("arguments", sa.Text(), nullable=False),
        sa.Column("backend", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("loops", sa.Text(), nullable=False),
        sa.Column("outputs", sa.Text(), nullable=False),
        sa.Column("tracking_run_id", sa.String(32), nullable=True),
        sa.Column("experiment_id", sa.String(32), nullable=False),
        sa.Column("schedule_id", sa.BigInteger(), nullable=True),
        sa.Column("backend_ref", sa.String(253), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        millis("created_time"),
        millis("start_time", nullable=True),
        millis("end_time", nullable=True),
        millis("updated_time"),
        primary_key("pipeline_runs", "run_id"),
    )
    op.create_index("ix_pipeline_runs_created", "pipeline_runs", ["created_time", "run_id"])
    op.create_index("ix_pipeline_runs_state_backend", "pipeline_runs", ["state", "backend"])
    op.create_index("ix_pipeline_runs_schedule", "pipeline_runs", ["schedule_id", "state"])
    op.create_table(
        "pipeline_step_runs",
        surrogate_key(),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("step_id", sa.String(100), nullable=False),
        sa.Column("task", sa.String(63), nullable=False),
        sa.Column("iteration", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("cached", sa.Boolean(), nullable=False),
        sa.Column("cache_key", sa.String(64), nullable=True),
        sa.Column("cached_from", sa.String(32), nullable=True),
        sa.Column("tracking_run_id", sa.String(32), nullable=True),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("outputs", sa.Text(), nullable=False),
        sa.Column("backend_ref", sa.String(253), nullable=True),
        millis("start_time", nullable=True),
        millis("end_time", nullable=True),
        millis("updated_time"),
        foreign_key("pipeline_step_runs", "run_id", "pipeline_runs.run_id", cascade=True),
        primary_key("pipeline_step_runs", "id"),
        sa.UniqueConstraint("run_id", "step_id", name="uq_pipeline_step_runs_run_id"),
    )
    op.create_index("ix_pipeline_step_runs_cache", "pipeline_step_runs", ["cache_key", "state"])
    op.create_table(
        "pipeline_schedules",
        surrogate_key("schedule_id"),
        sa.Column("name", sa.String(256), nullable=False),
        owner_column(),
        sa.Column("cron", sa.String(128), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("arguments", sa.Text(), nullable=False),
        sa.Column("backend", sa.String(32), nullable=False),
        sa.Column("experiment_id", sa.String(32), nullable=False),
        sa.Column("policy", sa.String(8), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        millis("next_fire_time"),
        sa.Column("last_run_id", sa.String(32), nullable=True),
        millis("created_time"),
        primary_key("pipeline_schedules", "schedule_id"),
    )
    op.create_index(
        "ix_pipeline_schedules_due", "pipeline_schedules", ["enabled", "next_fire_time"]
    )


def downgrade() -> None:
    op.drop_index("ix_pipeline_schedules_due", table_name="pipeline_schedules")
    op.drop_table("pipeline_schedules")
    op.drop_index("ix_pipeline_step_runs_cache", table_name="pipeline_step_runs")
    op.drop_table("pipeline_step_runs")
    op.drop_index("ix_pipeline_runs_schedule", table_name="pipeline_runs")
    op.drop_index("ix_pipeline_runs_state_backend", table_name="pipeline_runs")
    op.drop_index("ix_pipeline_runs_created", table_name="pipeline_runs")
    op.drop_table("pipeline_runs")
    op.drop_table("pipelines")
