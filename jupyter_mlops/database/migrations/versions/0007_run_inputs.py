"""Run inputs: datasets of experiments, the datasets and logged models runs used.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("dataset_id", BigId, autoincrement=True, nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("digest", sa.String(36), nullable=False),
        sa.Column("source_type", sa.String(36), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("data_schema", sa.Text(), nullable=True),
        sa.Column("profile", sa.Text(), nullable=True),
        sa.Column("creation_time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.experiment_id"],
            name="fk_datasets_experiment_id_experiments",
        ),
        sa.PrimaryKeyConstraint("dataset_id", name="pk_datasets"),
        sa.UniqueConstraint("experiment_id", "name", "digest", name="uq_datasets_experiment_id"),
    )
    op.create_table(
        "run_datasets",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("dataset_id", BigId, nullable=False),
        sa.Column("context", sa.String(500), nullable=True),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("logged_time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.run_id"], name="fk_run_datasets_run_id_runs"),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.dataset_id"], name="fk_run_datasets_dataset_id_datasets"
        ),
        sa.PrimaryKeyConstraint("run_id", "dataset_id", name="pk_run_datasets"),
    )
    op.create_index("ix_run_datasets_dataset_id", "run_datasets", ["dataset_id"])
    op.create_table(
        "run_model_inputs",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("model_id", sa.String(34), nullable=False),
        sa.Column("logged_time", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.run_id"], name="fk_run_model_inputs_run_id_runs"
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["logged_models.model_id"],
            name="fk_run_model_inputs_model_id_logged_models",
        ),
        sa.PrimaryKeyConstraint("run_id", "model_id", name="pk_run_model_inputs"),
    )


def downgrade() -> None:
    op.drop_table("run_model_inputs")
    op.drop_index("ix_run_datasets_dataset_id", table_name="run_datasets")
    op.drop_table("run_datasets")
    op.drop_table("datasets")
