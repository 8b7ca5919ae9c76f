"""Notebook servers: specs, computed object names, status and activity; their events.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "notebook_servers",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("owner", sa.String(256), nullable=False),
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
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=True),
        sa.Column("stopped_at", sa.BigInteger(), nullable=True),
        sa.Column("last_activity", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notebook_servers"),
        sa.UniqueConstraint("owner", "name", name="uq_notebook_servers_owner_name"),
    )
    op.create_index("ix_notebook_servers_status", "notebook_servers", ["status"])
    op.create_table(
        "notebook_server_events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("server_id", BigId, nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("source_key", sa.String(256), nullable=True),
        sa.ForeignKeyConstraint(
            ["server_id"],
            ["notebook_servers.id"],
            name="fk_notebook_server_events_server_id_notebook_servers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notebook_server_events"),
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
