"""Model registry: registered models, versions, aliases, tags and MLflow 3 logged models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jupyter_mlops.database.migrations.ddl import (
    BigId,
    foreign_key,
    millis,
    owner_column,
    primary_key,
    surrogate_key,
)

revision = "0002"
down_revision = "0001"


def _key_value_table(name: str, owner_column: sa.Column, parent: str, parent_key: str) -> None:
    op.create_table(
        name,
        owner_column,
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        foreign_key(name, owner_column.name, f"{parent}.{parent_key}", cascade=True),
        primary_key(name, owner_column.name, "key"),
    )


def upgrade() -> None:
    op.create_table(
        "registered_models",
        surrogate_key(),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        owner_column(),
        millis("creation_timestamp"),
        millis("last_updated_timestamp"),
        sa.Column("last_version", sa.Integer(), nullable=False),
        primary_key("registered_models", "id"),
        sa.UniqueConstraint("name", name="uq_registered_models_name"),
    )
    op.create_index(
        "ix_registered_models_created", "registered_models", ["creation_timestamp", "id"]
    )
    op.create_index(
        "ix_registered_models_updated", "registered_models", ["last_updated_timestamp", "id"]
    )
    _key_value_table(
        "registered_model_tags",
        sa.Column("model_id", BigId, nullable=False),
        "registered_models",
        "id",
    )
    op.create_table(
        "model_versions",
        surrogate_key(),
        sa.Column("model_id", BigId, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        millis("creation_timestamp"),
        millis("last_updated_timestamp"),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("user_id", sa.String(256), nullable=False),
        sa.Column("current_stage", sa.String(20), nullable=False),
        sa.Column("source", sa.String(1024), nullable=False),
        sa.Column("storage_location", sa.String(1024), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=True),
        sa.Column("run_link", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=False),
        sa.Column("logged_model_id", sa.String(34), nullable=True),
        foreign_key("model_versions", "model_id", "registered_models.id", cascade=True),
        primary_key("model_versions", "id"),
        sa.UniqueConstraint("model_id", "version", name="uq_model_versions_model_id_version"),
    )
    op.create_index("ix_model_versions_run_id", "model_versions", ["run_id"])
    op.create_index("ix_model_versions_updated", "model_versions", ["last_updated_timestamp", "id"])
    _key_value_table(
        "model_version_tags",
        sa.Column("version_id", BigId, nullable=False),
        "model_versions",
        "id",
    )
    op.create_table(
        "registered_model_aliases",
        sa.Column("model_id", BigId, nullable=False),
        sa.Column("alias", sa.String(256), nullable=False),
        sa.Column("version_id", BigId, nullable=False),
        foreign_key("registered_model_aliases", "model_id", "registered_models.id", cascade=True),
        foreign_key("registered_model_aliases", "version_id", "model_versions.id", cascade=True),
        primary_key("registered_model_aliases", "model_id", "alias"),
    )
    op.create_index(
        "ix_registered_model_aliases_version_id", "registered_model_aliases", ["version_id"]
    )
    op.create_table(
        "logged_models",
        sa.Column("model_id", sa.String(34), nullable=False),
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("artifact_location", sa.String(1024), nullable=False),
        millis("creation_timestamp"),
        millis("last_updated_timestamp"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=False),
        sa.Column("source_run_id", sa.String(32), nullable=True),
        sa.Column("model_type", sa.String(500), nullable=True),
        sa.Column("creator_id", sa.String(256), nullable=False),
        sa.Column("lifecycle_stage", sa.String(32), nullable=False),
        foreign_key("logged_models", "experiment_id", "experiments.experiment_id"),
        primary_key("logged_models", "model_id"),
    )
    op.create_index(
        "ix_logged_models_experiment",
        "logged_models",
        ["experiment_id", "creation_timestamp", "model_id"],
    )
    op.create_index("ix_logged_models_source_run_id", "logged_models", ["source_run_id"])
    for table in ("logged_model_tags", "logged_model_params"):
        _key_value_table(
            table,
            sa.Column("model_id", sa.String(34), nullable=False),
            "logged_models",
            "model_id",
        )
    op.create_table(
        "logged_model_metrics",
        surrogate_key(),
        sa.Column("model_id", sa.String(34), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        millis("timestamp"),
        sa.Column("step", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=True),
        foreign_key("logged_model_metrics", "model_id", "logged_models.model_id", cascade=True),
        primary_key("logged_model_metrics", "id"),
    )
    op.create_index(
        "ix_logged_model_metrics_model", "logged_model_metrics", ["model_id", "key", "step"]
    )


def downgrade() -> None:
    op.drop_index("ix_logged_model_metrics_model", table_name="logged_model_metrics")
    op.drop_table("logged_model_metrics")
    op.drop_table("logged_model_params")
    op.drop_table("logged_model_tags")
    op.drop_index("ix_logged_models_source_run_id", table_name="logged_models")
    op.drop_index("ix_logged_models_experiment", table_name="logged_models")
    op.drop_table("logged_models")
    op.drop_index("ix_registered_model_aliases_version_id", table_name="registered_model_aliases")
    op.drop_table("registered_model_aliases")
    op.drop_table("model_version_tags")
    op.drop_index("ix_model_versions_updated", table_name="model_versions")
    op.drop_index("ix_model_versions_run_id", table_name="model_versions")
    op.drop_table("model_versions")
    op.drop_table("registered_model_tags")
    op.drop_index("ix_registered_models_updated", table_name="registered_models")
    op.drop_index("ix_registered_models_created", table_name="registered_models")
    op.drop_table("registered_models")
