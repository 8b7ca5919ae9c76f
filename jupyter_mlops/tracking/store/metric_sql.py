"""Writing metric points and reading them back: history, summaries and downsampling.

Points go in with one driver-level executemany; the per-key summaries (latest_metrics) with
one ``INSERT .. ON CONFLICT DO UPDATE`` per batch, the batch first reduced per key in Python
and then merged with the stored row by CASE expressions, so concurrent writers never
lose an update and search never scans the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, and_, func, select

from ..entities import Metric, MetricBucket, MetricSummary
from . import models
from .convert import chunked

_metrics = models.metrics
_latest = models.latest_metrics
_NAN = float("nan")


def from_db(value: float | None) -> float:
    return _NAN if value is None else value


# Positional rows, in the column order of the SQL below.
PointRow = tuple[str, str, int, int, float | None]
SummaryRow = tuple[str, str, float | None, int, int, float | None, float | None]

# Hot-path statements as driver SQL with positional rows: a Core executemany spends
# about twice the database's own time building a parameter dict per row. The text is
# portable; only the placeholder differs (sqlite3 takes ?, psycopg %s).
_INSERT_POINTS_SQL = (
    "INSERT INTO metrics (run_id, key, step, timestamp, value) VALUES (?, ?, ?, ?, ?)"
)
# Latest point: highest step, then timestamp, then value, NaN (NULL) ranking lowest.
_NEWER = (
    "(excluded.step > latest_metrics.step OR (excluded.step = latest_metrics.step AND"
    " (excluded.timestamp > latest_metrics.timestamp OR"
    " (excluded.timestamp = latest_metrics.timestamp AND"
    " ((latest_metrics.value IS NULL AND excluded.value IS NOT NULL)"
    " OR excluded.value > latest_metrics.value)))))"
)


def _pick(column: str) -> str:
    return f"CASE WHEN {_NEWER} THEN excluded.{column} ELSE latest_metrics.{column} END"


def _extreme(column: str, op: str) -> str:
    # NULL-ignoring min/max of the stored and the batch's value (NULL: all NaN so far).
    old, new = f"latest_metrics.{column}", f"excluded.{column}"
    return (
        f"CASE WHEN {old} IS NULL THEN {new} WHEN {new} IS NULL THEN {old}"
        f" WHEN {new} {op} {old} THEN {new} ELSE {old} END"
    )


# Every SET expression sees the row's old values (on both databases), so concurrent
# writers merge instead of overwriting each other.
_UPSERT_SUMMARY_SQL = (
    "INSERT INTO latest_metrics (run_id, key, value, step, timestamp, min_value, max_value)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET"
    f" value = {_pick('value')}, step = {_pick('step')}, timestamp = {_pick('timestamp')},"
    f" min_value = {_extreme('min_value', '<')}, max_value = {_extreme('max_value', '>')}"
)


def driver_sql(sql: str) -> dict[str, str]:
    """``sql`` (written with ``?`` placeholders) for each dialect's DBAPI paramstyle."""
    return {"sqlite": sql, "postgresql": sql.replace("?", "%s")}


_INSERT_POINTS = driver_sql(_INSERT_POINTS_SQL)
_UPSERT_SUMMARY = driver_sql(_UPSERT_SUMMARY_SQL)
_STEP_TIME_VALUE = itemgetter(2, 3, 4)


def _rank(row: PointRow) -> tuple[int, int, int, float]:
    # The latest-point order with NaN (None) below every number.
    value = row[4]
    return (row[2], row[3], 0, 0.0) if value is None else (row[2], row[3], 1, value)


def _summary(run_id: str, key: str, rows: list[PointRow]) -> SummaryRow:
    try:
        # Plain tuple comparison in C; it only fails when a NaN (None) ties a number on
        # step and timestamp, which needs the explicit rank.
        last = max(rows, key=_STEP_TIME_VALUE)
    except TypeError:
        last = max(rows, key=_rank)
    values = [r[4] for r in rows if r[4] is not None]
    lo, hi = (min(values), max(values)) if values else (None, None)
    return (run_id, key, last[4], last[2], last[3], lo, hi)


def summarise(run_id: str, metrics: Sequence[Metric]) -> tuple[list[PointRow], list[SummaryRow]]:
    """The history rows and the per-key summary rows of one batch."""
    # value != value is the NaN test; NaN is stored as NULL.
    rows: list[PointRow] = [
        (run_id, m.key, m.step, m.timestamp, None if m.value != m.value else m.value)
        for m in metrics
    ]
    keys = {m.key for m in metrics}
    if len(keys) == 1:  # the usual batch: one series
        return rows, [_summary(run_id, keys.pop(), rows)]
    by_key: dict[str, list[PointRow]] = {}
    for row in rows:
        by_key.setdefault(row[1], []).append(row)
    return rows, [_summary(run_id, key, part) for key, part in by_key.items()]


def write_points(cursor: Any, dialect: str, run_id: str, metrics: Sequence[Metric]) -> None:
    """Append ``metrics`` to the history and fold them into the summaries.

    ``cursor`` is a DBAPI cursor inside a write transaction (``Database.raw_write``).
    """
    rows, summaries = summarise(run_id, metrics)
    cursor.executemany(_INSERT_POINTS[dialect], rows)
    cursor.executemany(_UPSERT_SUMMARY[dialect], summaries)


def summaries_by_run(
    conn: Connection, run_ids: Sequence[str]
) -> dict[str, dict[str, MetricSummary]]:
    c = _latest.c
    out: dict[str, dict[str, MetricSummary]] = {r: {} for r in run_ids}
    columns = (c.run_id, c.key, c.value, c.timestamp, c.step, c.min_value, c.max_value)
    for part in chunked(run_ids):
        for run_id, key, value, timestamp, step, lo, hi in conn.execute(
            select(*columns).where(c.run_id.in_(part))
        ):
            out[run_id][key] = MetricSummary(key, from_db(value), timestamp, step, lo, hi)
    return out


_HISTORY = driver_sql(
    "SELECT step, timestamp, value FROM metrics WHERE run_id = ? AND key = ?"
    " ORDER BY step, timestamp"  # the covering index's order: no sort step
)


def history(cursor: Any, dialect: str, run_id: str, key: str) -> list[Metric]:
    """Every point of one series, on a DBAPI cursor (``Database.raw_read``)."""
    # Plain DBAPI tuples: SQLAlchemy's Row objects cost more than the query.
    cursor.execute(_HISTORY[dialect], (run_id, key))
    rows = cursor.fetchall()
    nan = _NAN
    return [
        Metric(key, nan if value is None else value, timestamp, step)
        for step, timestamp, value in rows
    ]


def downsample(conn: Connection, run_id: str, key: str, max_points: int) -> list[MetricBucket]:
    """Reduce one history to at most ``max_points`` buckets of consecutive steps, in SQL.

    Each bucket keeps its first step, the timestamp and value of its last point (highest
    step, then timestamp), NaN-free min and max (so spikes stay visible) and how many
    points it holds.
    """
    c = _metrics.c
    of_series = and_(c.run_id == run_id, c.key == key)
    # Two scalar subqueries: SQLite answers a lone min() or max() with one index seek,
    # but scans the whole series for min() and max() together.
    lo, hi = conn.execute(
        select(
            select(func.min(c.step)).where(of_series).scalar_subquery(),
            select(func.max(c.step)).where(of_series).scalar_subquery(),
        )
    ).one()
    if lo is None:
        return []
    width = max(1, -(-(hi - lo + 1) // max_points))  # ceil division: at most max_points buckets
    groups = (
        select(
            func.min(c.step).label("first_step"),
            func.max(c.step).label("last_step"),
            func.min(c.value).label("min_value"),
            func.max(c.value).label("max_value"),
            func.count().label("n"),
        )
        .where(of_series)
        .group_by((c.step - lo) // width)
        .subquery()
    )
    # The last point of each bucket: one index seek per bucket (cheaper than aggregating).
    point = _metrics.alias("last_point")
    last_point = (
        select(point.c.timestamp, point.c.value)
        .where(point.c.run_id == run_id, point.c.key == key, point.c.step == groups.c.last_step)
        .order_by(point.c.timestamp.desc(), point.c.value.desc())  # the index, backwards
        .limit(1)
    )
    query = select(
        groups.c.first_step,
        last_point.with_only_columns(point.c.timestamp).scalar_subquery(),
        last_point.with_only_columns(point.c.value).scalar_subquery(),
        groups.c.min_value,
        groups.c.max_value,
        groups.c.n,
    ).order_by(groups.c.first_step)
    return [
        MetricBucket(step, timestamp, from_db(value), lo_v, hi_v, n)
        for step, timestamp, value, lo_v, hi_v, n in conn.execute(query)
    ]
