"""Metric series: an integer id and a point count per (run, key) in latest_metrics, and
the points in metric_points keyed by (series_id, step, timestamp, seq) instead of a
metrics table carrying run id and key on every point (WITHOUT ROWID on SQLite).

Narrow integer keys in one b-tree halve what each logged point writes; see
``jupyter_mlops/tracking/store/models.py``. Also metric_rollups: pre-aggregated blocks of
steps per series at several widths, for downsampling long histories (``rollups.py``)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jupyter_mlops.database.migrations.ddl import (
    create_metrics_table,
    foreign_key,
    millis,
    on_postgresql,
    primary_key,
)

revision = "0005"
down_revision = "0004"

SEQUENCE = "latest_metrics_series_id_seq"


def upgrade() -> None:
    postgresql = on_postgresql()
    if postgresql:
        op.execute(f"CREATE SEQUENCE {SEQUENCE}")
    with op.batch_alter_table("latest_metrics") as batch:
        batch.add_column(sa.Column("series_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("points", sa.BigInteger(), nullable=True))
    numbering = f"nextval('{SEQUENCE}')" if postgresql else "rowid"
    op.execute(f"UPDATE latest_metrics SET series_id = {numbering}")
    op.execute(
        "UPDATE latest_metrics SET points = (SELECT count(*) FROM metrics m"
        " WHERE m.run_id = latest_metrics.run_id AND m.key = latest_metrics.key)"
    )
    with op.batch_alter_table("latest_metrics") as batch:
        batch.alter_column("series_id", existing_type=sa.BigInteger(), nullable=False)
        batch.alter_column("points", existing_type=sa.BigInteger(), nullable=False)
        batch.create_unique_constraint("uq_latest_metrics_series_id", ["series_id"])
    if postgresql:
        # Owned by the column: TRUNCATE .. RESTART IDENTITY and DROP TABLE include it.
        op.execute(f"ALTER SEQUENCE {SEQUENCE} OWNED BY latest_metrics.series_id")

    op.create_table(
        "metric_points",
        sa.Column("series_id", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
        millis("timestamp"),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        foreign_key("metric_points", "series_id", "latest_metrics.series_id"),
        primary_key("metric_points", "series_id", "step", "timestamp", "seq"),
        sqlite_with_rowid=False,
    )
    # Each series' points numbered 0, 1, ... in the order they were logged.
    op.execute(
        "INSERT INTO metric_points (series_id, step, timestamp, seq, value)"
        " SELECT s.series_id, m.step, m.timestamp,"
        " row_number() OVER (PARTITION BY m.run_id, m.key ORDER BY m.id) - 1, m.value"
        " FROM metrics m JOIN latest_metrics s ON s.run_id = m.run_id AND s.key = m.key"
    )
    op.drop_index("ix_metrics_run_key_step", table_name="metrics")
    op.drop_table("metrics")
    _create_rollups()


# The block widths' log2, as in jupyter_mlops/tracking/store/rollups.py at this revision.
LEVEL_SHIFTS = (6, 8, 10, 12, 14, 16, 18, 20)


def _create_rollups() -> None:
    op.create_table(
        "metric_rollups",
        sa.Column("series_id", sa.BigInteger(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("block", sa.BigInteger(), nullable=False),
        sa.Column("first_step", sa.BigInteger(), nullable=False),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        millis("last_timestamp"),
        sa.Column("last_value", sa.Double(), nullable=True),
        sa.Column("min_value", sa.Double(), nullable=True),
        sa.Column("max_value", sa.Double(), nullable=True),
        sa.Column("points", sa.BigInteger(), nullable=False),
        foreign_key("metric_rollups", "series_id", "latest_metrics.series_id"),
        primary_key("metric_rollups", "series_id", "level", "block"),
        sqlite_with_rowid=False,
    )
    for shift in LEVEL_SHIFTS:
        width = 1 << shift
        # Floor division on both databases (integer division truncates towards zero).
        block = f"CASE WHEN step >= 0 THEN step / {width} ELSE (step + 1) / {width} - 1 END"
        op.execute(
            "INSERT INTO metric_rollups (series_id, level, block, first_step, last_step,"
            " last_timestamp, last_value, min_value, max_value, points)"
            f" SELECT series_id, {shift}, {block}, min(step), max(step), 0, NULL,"
            f" min(value), max(value), count(*) FROM metric_points GROUP BY series_id, {block}"
        )
    # Each block's last point: the latest at its highest step, NaN (NULL) lowest.
    last = (
        "(SELECT p.{} FROM metric_points p WHERE p.series_id = metric_rollups.series_id"
        " AND p.step = metric_rollups.last_step"
        " ORDER BY p.timestamp DESC, p.value IS NULL, p.value DESC LIMIT 1)"
    )
    op.execute(
        f"UPDATE metric_rollups SET last_timestamp = {last.format('timestamp')},"
        f" last_value = {last.format('value')}"
    )


def downgrade() -> None:
    op.drop_table("metric_rollups")
    create_metrics_table()
    op.execute(
        "INSERT INTO metrics (run_id, key, step, timestamp, value)"
        " SELECT s.run_id, s.key, p.step, p.timestamp, p.value"
        " FROM metric_points p JOIN latest_metrics s ON s.series_id = p.series_id"
        " ORDER BY p.series_id, p.seq"
    )
    op.drop_table("metric_points")
    with op.batch_alter_table("latest_metrics") as batch:
        batch.drop_constraint("uq_latest_metrics_series_id", type_="unique")
        batch.drop_column("points")
        batch.drop_column("series_id")
    if on_postgresql():
        op.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")  # gone with the column it belonged to
