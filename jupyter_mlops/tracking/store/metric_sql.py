"""Writing metric points and reading them back: history, summaries and downsampling.

Points go in with one Core executemany; the per-key summaries (latest_metrics) with one
``INSERT .. ON CONFLICT DO UPDATE`` per batch, the batch first reduced per key in Python
and then merged with the stored row by CASE expressions, so concurrent writers never
lose an update and search never scans the history.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Insert, and_, case, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from ..entities import Metric, MetricBucket, MetricSummary
from . import models
from .convert import chunked

_metrics = models.metrics
_latest = models.latest_metrics
_NAN = float("nan")


def to_db(value: float) -> float | None:
    """NaN is stored as NULL (SQLite cannot keep it); +-inf are stored as they are."""
    return None if math.isnan(value) else value


def from_db(value: float | None) -> float:
    return _NAN if value is None else value


@dataclass(slots=True)
class _KeySummary:
    """One key's points in one batch: the latest point and the NaN-free extremes."""

    step: int
    timestamp: int
    value: float | None
    min_value: float | None
    max_value: float | None


def _rank(step: int, timestamp: int, value: float | None) -> tuple[int, int, int, float]:
    # Latest = highest step, then highest timestamp, then highest value; NaN ranks lowest.
    return (step, timestamp, 0, 0.0) if value is None else (step, timestamp, 1, value)


def summarise(
    run_id: str, metrics: Iterable[Metric]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The history rows and the per-key summary rows of one batch."""
    rows: list[dict[str, Any]] = []
    by_key: dict[str, _KeySummary] = {}
    for m in metrics:
        value = to_db(m.value)
        rows.append(
            {
                "run_id": run_id,
                "key": m.key,
                "step": m.step,
                "timestamp": m.timestamp,
                "value": value,
            }
        )
        s = by_key.get(m.key)
        if s is None:
            by_key[m.key] = _KeySummary(m.step, m.timestamp, value, value, value)
            continue
        if _rank(m.step, m.timestamp, value) > _rank(s.step, s.timestamp, s.value):
            s.step, s.timestamp, s.value = m.step, m.timestamp, value
        if value is not None:
            if s.min_value is None or value < s.min_value:
                s.min_value = value
            if s.max_value is None or value > s.max_value:
                s.max_value = value
    summaries = [
        {
            "run_id": run_id,
            "key": key,
            "step": s.step,
            "timestamp": s.timestamp,
            "value": s.value,
            "min_value": s.min_value,
            "max_value": s.max_value,
        }
        for key, s in by_key.items()
    ]
    return rows, summaries


def _upsert_latest(dialect: str) -> Insert:
    ins: Any = (postgresql if dialect == "postgresql" else sqlite).insert(_latest)
    new, cur = ins.excluded, _latest.c
    newer = or_(
        new.step > cur.step,
        and_(
            new.step == cur.step,
            or_(
                new.timestamp > cur.timestamp,
                and_(
                    new.timestamp == cur.timestamp,
                    or_(
                        and_(cur.value.is_(None), new.value.is_not(None)),
                        new.value > cur.value,
                    ),
                ),
            ),
        ),
    )

    def lower(a: Any, b: Any) -> Any:  # NULL-ignoring min of two
        return case((a.is_(None), b), (b.is_(None), a), (a < b, a), else_=b)

    def higher(a: Any, b: Any) -> Any:
        return case((a.is_(None), b), (b.is_(None), a), (a > b, a), else_=b)

    # Every SET expression sees the row's old values (on both databases).
    return ins.on_conflict_do_update(
        index_elements=[cur.run_id, cur.key],
        set_={
            "value": case((newer, new.value), else_=cur.value),
            "step": case((newer, new.step), else_=cur.step),
            "timestamp": case((newer, new.timestamp), else_=cur.timestamp),
            "min_value": lower(cur.min_value, new.min_value),
            "max_value": higher(cur.max_value, new.max_value),
        },
    )


_UPSERT_LATEST = {d: _upsert_latest(d) for d in ("sqlite", "postgresql")}
_INSERT_POINTS = insert(_metrics)


def write_points(conn: Connection, run_id: str, metrics: Sequence[Metric]) -> None:
    """Append ``metrics`` to the history and fold them into the summaries."""
    rows, summaries = summarise(run_id, metrics)
    conn.execute(_INSERT_POINTS, rows)
    conn.execute(_UPSERT_LATEST[conn.dialect.name], summaries)


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


def history(conn: Connection, run_id: str, key: str) -> list[Metric]:
    c = _metrics.c
    query = (
        select(c.step, c.timestamp, c.value)
        .where(c.run_id == run_id, c.key == key)
        .order_by(c.step, c.timestamp)  # the index's order: no sort step
    )
    return [
        Metric(key, _NAN if value is None else value, timestamp, step)
        for step, timestamp, value in conn.execute(query)
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
