"""Run heartbeats: when each run's process last said it was alive (dead-run detection)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jupyter_mlops.database.migrations.ddl import foreign_key, millis, primary_key

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "run_heartbeats",
        sa.Column("run_id", sa.String(32), nullable=False),
        millis("last_seen"),
        foreign_key("run_heartbeats", "run_id", "runs.run_id", cascade=True),
        primary_key("run_heartbeats", "run_id"),
    )
    op.create_index("ix_run_heartbeats_last_seen", "run_heartbeats", ["last_seen"])


def downgrade() -> None:
    op.drop_index("ix_run_heartbeats_last_seen", table_name="run_heartbeats")
    op.drop_table("run_heartbeats")
