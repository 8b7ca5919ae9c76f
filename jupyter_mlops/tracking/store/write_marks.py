"""Exactly-once metric writes from spools (client/spool.py): driver SQL for the marks.

A spooling writer numbers its points of each run 0, 1, 2, ... and sends them in order, as
batches of consecutive numbers. ``metric_write_marks`` keeps, per (writer, run), the last
number stored, updated in the same transaction as the points; a batch (or a replay after
the writer died) is cut to the numbers after the mark, so a point that was stored is never
stored again however often it is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..entities import Metric
from . import metric_sql

_MARK_SQL = metric_sql.driver_sql(
    "SELECT applied_through FROM metric_write_marks WHERE writer_id = ? AND run_id = ?"
)
_UPSERT_MARK_SQL = metric_sql.driver_sql(
    "INSERT INTO metric_write_marks (writer_id, run_id, applied_through) VALUES (?, ?, ?)"
    " ON CONFLICT (writer_id, run_id) DO UPDATE SET applied_through ="
    " excluded.applied_through WHERE excluded.applied_through >"
    " metric_write_marks.applied_through"
)


def write_spooled_points(
    cursor: Any,
    dialect: str,
    run_id: str,
    writer_id: str,
    first_seq: int,
    metrics: Sequence[Metric],
) -> int:
    """Store the points numbered ``first_seq``, ``first_seq + 1``, ... that are not stored
    yet; return the writer's new mark (the last number stored). Inside the caller's write
    transaction, which also holds the run's checks."""
    cursor.execute(_MARK_SQL[dialect], (writer_id, run_id))
    row = cursor.fetchone()
    applied = -1 if row is None else int(row[0])
    skip = max(0, applied + 1 - first_seq)
    fresh = metrics[skip:]
    if fresh:
        metric_sql.write_points(cursor, dialect, run_id, fresh)
    last = first_seq + len(metrics) - 1
    if last > applied:
        cursor.execute(_UPSERT_MARK_SQL[dialect], (writer_id, run_id, last))
    return max(applied, last)
