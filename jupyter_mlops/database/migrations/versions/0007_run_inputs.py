"""Run inputs: datasets of experiments, the datasets and logged models runs used."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jupyter_mlops.database.migrations.ddl import (
    BigId,
    foreign_key,
    millis,
    primary_key,
    surrogate_key,
)

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "datasets",
        surrogate_key("dataset_id"),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("digest", sa.String(36), nullable=False),
        sa.Column("source_type", sa.String(36), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("data_schema", sa.Text(), nullable=True),
        sa.Column("profile", sa.Text(), nullable=True),
        millis("creation_time"),
        foreign_key("datasets", "experiment_id", "experiments.experiment_id"),
        primary_key("datasets", "dataset_id"),
        sa.UniqueConstraint("experiment_id", "name", "digest", name="uq_datasets_experiment_id"),
    )
    op.create_table(
        "run_datasets",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("dataset_id", BigId, nullable=False),
        sa.Column("context", sa.String(500), nullable=True),
        sa.Column("tags", sa.Text(), nullable=False),
        millis("logged_time"),
        foreign_key("run_datasets", "run_id", "runs.run_id"),
        foreign_key("run_datasets", "dataset_id", "datasets.dataset_id"),
        primary_key("run_datasets", "run_id", "dataset_id"),
    )
    op.create_index("ix_run_datasets_dataset_id", "run_datasets", ["dataset_id"])
    op.create_table(
        "run_model_inputs",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("model_id", sa.String(34), nullable=False),
        millis("logged_time"),
        foreign_key("run_model_inputs", "run_id", "runs.run_id"),
        foreign_key("run_model_inputs", "model_id", "logged_models.model_id"),
        primary_key("run_model_inputs", "run_id", "model_id"),
    )


def downgrade() -> None:
    op.drop_table("run_model_inputs")
    op.drop_index("ix_run_datasets_dataset_id", table_name="run_datasets")
    op.drop_table("run_datasets")
    op.drop_table("datasets")
