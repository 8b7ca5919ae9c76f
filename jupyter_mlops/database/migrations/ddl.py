"""What the migration scripts in ``versions/`` share: the 64-bit key type, surrogate keys,
constraints named by one convention, the dialect check, and the metrics table that one
revision creates and a later one's downgrade brings back.

A migration must build the same schema forever, so nothing here may change what it emits:
add a new helper beside an old one instead (tests/tracking/test_migrations.py compares the
migrated schema with the ORM models on SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

#: A 64-bit integer, but INTEGER on SQLite, where only that makes a key the rowid.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def surrogate_key(name: str = "id") -> sa.Column:
    """An auto-numbered BigId column (name it in the table's ``primary_key``)."""
    return sa.Column(name, BigId, autoincrement=True, nullable=False)


def owner_column() -> sa.Column:
    """The user who owns the row (a jupyter_server user name)."""
    return sa.Column("owner", sa.String(256), nullable=False)


def millis(name: str, *, nullable: bool = False) -> sa.Column:
    """A time in milliseconds since the epoch."""
    return sa.Column(name, sa.BigInteger(), nullable=nullable)


def primary_key(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    """The primary key of ``table``, named ``pk_<table>``."""
    return sa.PrimaryKeyConstraint(*columns, name=f"pk_{table}")


def foreign_key(
    table: str, column: str, target: str, *, cascade: bool = False
) -> sa.ForeignKeyConstraint:
    """``table.column`` references ``target`` ("parent.column"), named
    ``fk_<table>_<column>_<parent>``; ``cascade``: rows go with their parent row."""
    parent = target.split(".", 1)[0]
    return sa.ForeignKeyConstraint(
        [column],
        [target],
        name=f"fk_{table}_{column}_{parent}",
        ondelete="CASCADE" if cascade else None,
    )


def on_postgresql() -> bool:
    """Whether the migration runs on PostgreSQL (else SQLite)."""
    return bool(op.get_bind().dialect.name == "postgresql")


def create_metrics_table() -> None:
    """The metrics table of revisions 0001 to 0004: one row per logged point (0005 replaced
    it by metric series)."""
    op.create_table(
        "metrics",
        surrogate_key(),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("key", sa.String(250), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
        millis("timestamp"),
        sa.Column("value", sa.Double(), nullable=True),
        foreign_key("metrics", "run_id", "runs.run_id"),
        primary_key("metrics", "id"),
    )
    op.create_index(
        "ix_metrics_run_key_step", "metrics", ["run_id", "key", "step", "timestamp", "value"]
    )
