"""Notebook servers: specs, computed object names, status and activity; their events."""

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

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "notebook_servers",
        surrogate_key(),
        owner_column(),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("backend", sa.String(32), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("namespace", sa.String(63), nullable=False),
        sa.Column("workload_name", sa.String(63), nullable=False),
        sa.Column("pvc_name", sa.String(253), nullable=False),
        sa.Column("secret_name", sa.String(253), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("runtime", sa.Text(), nullable=False),
        millis("created_at"),
        millis("updated_at"),
        millis("started_at", nullable=True),
        millis("stopped_at", nullable=True),
        millis("last_activity", nullable=True),
        primary_key("notebook_servers", "id"),
        sa.UniqueConstraint("owner", "name", name="uq_notebook_servers_owner_name"),
    )
    op.create_index("ix_notebook_servers_status", "notebook_servers", ["status"])
    op.create_table(
        "notebook_server_events",
        surrogate_key(),
        sa.Column("server_id", BigId, nullable=False),
        millis("timestamp"),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("source_key", sa.String(256), nullable=True),
        foreign_key("notebook_server_events", "server_id", "notebook_servers.id", cascade=True),
        primary_key("notebook_server_events", "id"),
        sa.UniqueConstraint("server_id", "source_key", name="uq_notebook_server_events_source"),
    )
    op.create_index(
        "ix_notebook_server_events_server", "notebook_server_events", ["server_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_notebook_server_events_server", table_name="notebook_server_events")
    op.drop_table("notebook_server_events")
    op.drop_index("ix_notebook_servers_status", table_name="notebook_servers")
    op.drop_table("notebook_servers")
