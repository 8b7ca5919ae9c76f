"""Metric write marks: how far each spooling writer's points of a run are stored, so that a
spool replayed after its process died adds every point exactly once (client/spool.py)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jupyter_mlops.database.migrations.ddl import foreign_key, primary_key

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.create_table(
        "metric_write_marks",
        sa.Column("writer_id", sa.String(32), nullable=False),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("applied_through", sa.BigInteger(), nullable=False),
        foreign_key("metric_write_marks", "run_id", "runs.run_id", cascade=True),
        primary_key("metric_write_marks", "writer_id", "run_id"),
    )


def downgrade() -> None:
    op.drop_table("metric_write_marks")
