"""Writing metric points and reading them back: history, summaries and downsampling.

Each (run, key) is a series: a latest_metrics row with an integer ``series_id``, a point
count and the summary (latest, min, max). A batch is reduced per key in Python, merged
into its series row with one ``INSERT .. ON CONFLICT DO UPDATE .. RETURNING`` (CASE
expressions, so concurrent writers never lose an update and search never scans the
history), which also hands back the series id and how many points it now has; the
points then go into metric_points with one driver-level executemany, numbered on from
the old count.

On PostgreSQL, where every statement is a round trip to another process, the same work is
one statement: data-modifying CTEs upsert the summaries, insert the points numbered from
the summaries' RETURNING and fold the rollups, the batch's columns sent as arrays (one
prepared statement whatever the batch's size). A synchronous ``log_metric`` used to make
seven round trips here (BEGIN, stage check, upsert, points, rollups, COMMIT) and makes one
(see :func:`write_points_alone`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, select

from ...database.engine import Database
from ..entities import LifecycleStage, Metric, MetricBucket, MetricSummary
from . import models, rollups
from .convert import chunked

_points = models.metric_points
_latest = models.latest_metrics
_NAN = float("nan")
ACTIVE_STAGE = LifecycleStage.ACTIVE.value


def from_db(value: float | None) -> float:
    return _NAN if value is None else value


# A point as (step, timestamp, value), NaN as None.
PointRow = tuple[int, int, float | None]

# Hot-path statements as driver SQL with positional rows: a Core executemany spends
# about twice the database's own time building a parameter dict per row. The text is
# portable; only the placeholder differs (sqlite3 takes ?, psycopg %s).


def _insert_points(source: str) -> str:
    """The one place the INSERT of points is built, for both dialects' statements."""
    return f"INSERT INTO metric_points (series_id, step, timestamp, seq, value) {source}"


_INSERT_POINTS_SQL = _insert_points("VALUES (?, ?, ?, ?, ?)")
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
_INSERT_SUMMARY = (
    "INSERT INTO latest_metrics"
    " (run_id, key, value, step, timestamp, min_value, max_value, points, series_id)"
)
_MERGE_SUMMARY = (
    "ON CONFLICT (run_id, key) DO UPDATE SET"
    f" value = {_pick('value')}, step = {_pick('step')}, timestamp = {_pick('timestamp')},"
    f" min_value = {_extreme('min_value', '<')}, max_value = {_extreme('max_value', '>')},"
    " points = latest_metrics.points + excluded.points"
)
_UPSERT_SUMMARY_SQL = (
    f"{_INSERT_SUMMARY} VALUES (?, ?, ?, ?, ?, ?, ?, ?, {{next_series_id}}) {_MERGE_SUMMARY}"
    " RETURNING series_id, points"
)
# A new series' id. SQLite writers hold the database's write lock (BEGIN IMMEDIATE), so
# max + 1 (one seek of the unique index) cannot be taken twice; PostgreSQL writers run
# concurrently and draw from a sequence.
_NEXT_SERIES_ID = {
    "sqlite": "(SELECT coalesce(max(series_id), 0) + 1 FROM latest_metrics)",
    "postgresql": "nextval('latest_metrics_series_id_seq')",
}


def driver_sql(sql: str) -> dict[str, str]:
    """``sql`` (written with ``?`` placeholders) for each dialect's DBAPI paramstyle."""
    return {"sqlite": sql, "postgresql": sql.replace("?", "%s")}


_INSERT_POINTS = driver_sql(_INSERT_POINTS_SQL)


def _newer(table: str, step: str, timestamp: str, value: str) -> str:
    """Whether the incoming row's point comes after the stored one's (NaN lowest)."""
    old = f"{table}.{{}}"
    return (
        f"(excluded.{step} > {old.format(step)} OR (excluded.{step} = {old.format(step)} AND"
        f" (excluded.{timestamp} > {old.format(timestamp)} OR"
        f" (excluded.{timestamp} = {old.format(timestamp)} AND"
        f" (({old.format(value)} IS NULL AND excluded.{value} IS NOT NULL)"
        f" OR excluded.{value} > {old.format(value)})))))"
    )


_ROLLUP_NEWER = _newer("metric_rollups", "last_step", "last_timestamp", "last_value")


def _rollup_pick(column: str) -> str:
    return f"CASE WHEN {_ROLLUP_NEWER} THEN excluded.{column} ELSE metric_rollups.{column} END"


def _rollup_extreme(column: str, op: str) -> str:
    old, new = f"metric_rollups.{column}", f"excluded.{column}"
    return (
        f"CASE WHEN {old} IS NULL THEN {new} WHEN {new} IS NULL THEN {old}"
        f" WHEN {new} {op} {old} THEN {new} ELSE {old} END"
    )


_INSERT_ROLLUP = (
    "INSERT INTO metric_rollups (series_id, level, block, first_step, last_step,"
    " last_timestamp, last_value, min_value, max_value, points)"
)
_MERGE_ROLLUP = (
    "ON CONFLICT (series_id, level, block) DO UPDATE SET"
    " first_step = CASE WHEN excluded.first_step < metric_rollups.first_step"
    " THEN excluded.first_step ELSE metric_rollups.first_step END,"
    f" last_timestamp = {_rollup_pick('last_timestamp')},"
    f" last_value = {_rollup_pick('last_value')},"
    f" last_step = {_rollup_pick('last_step')},"
    f" min_value = {_rollup_extreme('min_value', '<')},"
    f" max_value = {_rollup_extreme('max_value', '>')},"
    " points = metric_rollups.points + excluded.points"
)
_UPSERT_ROLLUP = driver_sql(
    f"{_INSERT_ROLLUP} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) {_MERGE_ROLLUP}"
)
_UPSERT_SUMMARY = {
    dialect: sql.replace("{next_series_id}", _NEXT_SERIES_ID[dialect])
    for dialect, sql in driver_sql(_UPSERT_SUMMARY_SQL).items()
}

# PostgreSQL: the whole batch in one statement. The batch's columns arrive as arrays,
# unnested into rows; the run's stage is read in the statement's snapshot and nothing is
# written unless the run is active, so the statement can run as a transaction of its own
# and the caller raises on the stage it returns. The points are numbered back from the
# count the summary upsert returns (``back`` is -n .. -1 for a key's n points); a
# concurrent writer of the same series waits on the summary row's lock until we commit,
# as in the SQLite path.
_PG_WRITE_POINTS = (
    "WITH run AS (SELECT lifecycle_stage FROM runs WHERE run_id = %(run_id)s),"
    f" summary AS ({_INSERT_SUMMARY}"
    " SELECT %(run_id)s, b.key, b.value, b.step, b.timestamp, b.min_value, b.max_value,"
    f" b.points, {_NEXT_SERIES_ID['postgresql']}"
    " FROM unnest(%(keys)s::text[], %(values)s::float8[], %(steps)s::int8[],"
    " %(timestamps)s::int8[], %(mins)s::float8[], %(maxes)s::float8[], %(counts)s::int8[])"
    " AS b(key, value, step, timestamp, min_value, max_value, points)"
    f" WHERE (SELECT lifecycle_stage FROM run) = '{ACTIVE_STAGE}'"
    f" {_MERGE_SUMMARY} RETURNING key, series_id, points),"
    " points AS ("
    + _insert_points(
        "SELECT s.series_id, p.step, p.timestamp, s.points + p.back, p.value"
        " FROM unnest(%(point_keys)s::text[], %(point_steps)s::int8[],"
        " %(point_timestamps)s::int8[], %(point_backs)s::int8[], %(point_values)s::float8[])"
        " AS p(key, step, timestamp, back, value) JOIN summary s ON s.key = p.key"
    )
    + "),"
    f" blocks AS ({_INSERT_ROLLUP}"
    " SELECT s.series_id, r.level, r.block, r.first_step, r.last_step, r.last_timestamp,"
    " r.last_value, r.min_value, r.max_value, r.points"
    " FROM unnest(%(block_keys)s::text[], %(levels)s::int4[], %(blocks)s::int8[],"
    " %(first_steps)s::int8[], %(last_steps)s::int8[], %(last_timestamps)s::int8[],"
    " %(last_values)s::float8[], %(block_mins)s::float8[], %(block_maxes)s::float8[],"
    " %(block_points)s::int8[])"
    " AS r(key, level, block, first_step, last_step, last_timestamp, last_value, min_value,"
    f" max_value, points) JOIN summary s ON s.key = r.key {_MERGE_ROLLUP})"
    " SELECT (SELECT lifecycle_stage FROM run)"
)
# The statement as a transaction of its own (write_points_alone). set_config(.., true)
# lasts until the end of the statement's transaction, whose commit reads it: this commit,
# and no other, does not wait for the WAL flush.
_PG_WRITE_POINTS_ALONE = (
    f"{_PG_WRITE_POINTS}, set_config('synchronous_commit', 'off', true) AS synchronous_commit"
)


def _numbered(sql: str) -> tuple[str, tuple[str, ...]]:
    """``sql`` with its ``%(name)s`` placeholders as PostgreSQL's ``$1``, ``$2``, ... and the
    names in their order. Sent through psycopg's RawCursor, a statement this long skips
    the client-side placeholder parsing that psycopg caches only for shorter ones (0.2 ms
    a call)."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match[1] not in names:
            names.append(match[1])
        return f"${names.index(match[1]) + 1}"

    return re.sub(r"%\((\w+)\)s", number, sql), tuple(names)


_PG_WRITE_POINTS_RAW, _PG_WRITE_POINTS_ORDER = _numbered(_PG_WRITE_POINTS_ALONE)

# The same, with the service's write rule inside the statement (write_points_checked): the
# run counts as active only if it is not deleted, not finished, and the caller's (``owner``
# NULL: an admin). One round trip for a whole synchronous log_metric.
_RUN_STAGE_CTE = "WITH run AS (SELECT lifecycle_stage FROM runs WHERE run_id = %(run_id)s),"
_RUN_WRITABLE_CTE = (
    "WITH run AS (SELECT CASE WHEN lifecycle_stage = '"
    + ACTIVE_STAGE
    + "' AND status NOT IN ('FINISHED', 'FAILED', 'KILLED')"
    " AND (%(owner)s::text IS NULL OR user_id = %(owner)s::text)"
    " THEN lifecycle_stage ELSE 'refused' END AS lifecycle_stage"
    " FROM runs WHERE run_id = %(run_id)s),"
)
assert _PG_WRITE_POINTS_ALONE.startswith(_RUN_STAGE_CTE)
_PG_WRITE_CHECKED_RAW, _PG_WRITE_CHECKED_ORDER = _numbered(
    _RUN_WRITABLE_CTE + _PG_WRITE_POINTS_ALONE[len(_RUN_STAGE_CTE) :]
)


def series_of(metrics: Sequence[Metric]) -> dict[str, list[PointRow]]:
    """The batch's points per key, in logging order; NaN becomes None (stored as NULL)."""
    keys = {m.key for m in metrics}
    if len(keys) == 1:  # the usual batch: one series
        # value != value is the NaN test.
        return {
            keys.pop(): [
                (m.step, m.timestamp, None if m.value != m.value else m.value) for m in metrics
            ]
        }
    by_key: dict[str, list[PointRow]] = {}
    for m in metrics:
        point = (m.step, m.timestamp, None if m.value != m.value else m.value)
        by_key.setdefault(m.key, []).append(point)
    return by_key


def write_points(cursor: Any, dialect: str, run_id: str, metrics: Sequence[Metric]) -> None:
    """Append ``metrics`` to the history and fold them into the summaries.

    ``cursor`` is a DBAPI cursor inside a write transaction (``Database.raw_write``) that
    has checked that the run is active.
    """
    if dialect == "postgresql":
        cursor.execute(_PG_WRITE_POINTS, _pg_columns(run_id, metrics))  # not the hot path
        return
    upsert = _UPSERT_SUMMARY[dialect]
    rows: list[tuple[int, int, int, int, float | None]] = []
    blocks: list[rollups.RollupRow] = []
    for key, points in series_of(metrics).items():
        finest = rollups.blocks_of(points, rollups.LEVEL_SHIFTS[0])
        _, last_step, last_timestamp, last_value, lo, hi, n = rollups.summary_of(finest)
        cursor.execute(upsert, (run_id, key, last_value, last_step, last_timestamp, lo, hi, n))
        series_id, count = cursor.fetchone()
        first = count - len(points)  # this batch's points are numbered on from here
        rows.extend(
            [
                (series_id, step, timestamp, seq, value)
                for seq, (step, timestamp, value) in enumerate(points, first)
            ]
        )
        blocks.extend(rollups.rollup_rows(series_id, finest))
    cursor.executemany(_INSERT_POINTS[dialect], rows)
    cursor.executemany(_UPSERT_ROLLUP[dialect], blocks)


def write_points_alone(database: Database, run_id: str, metrics: Sequence[Metric]) -> str | None:
    """PostgreSQL through psycopg (``Database.psycopg``): :func:`write_points` as a
    transaction of its own, in one round trip, committed without waiting for the WAL
    flush. Return the run's lifecycle stage (None: no such run); the points are stored only
    if it is active.

    The relaxed commit (``synchronous_commit = off`` for this transaction only) is the
    nearest PostgreSQL has to the SQLite store's WAL mode with ``synchronous = NORMAL``:
    nothing acknowledged is lost when the logging process dies, and consistency is never
    at risk; a crash of the database server or its machine can lose the last ~0.6 s of
    acknowledged batches (3 x ``wal_writer_delay``), where SQLite loses what was committed
    since its last checkpoint on a machine crash only. It saved 0.1 ms of a 0.8 ms call
    on a quiet machine and 3.4 ms of 4.7 under load (docs/benchmarks.md). Run creation,
    params, tags and mixed batches keep the synchronous commit.
    """
    columns = _pg_columns(run_id, metrics)
    row = database.write_statement(
        _PG_WRITE_POINTS_RAW, [columns[name] for name in _PG_WRITE_POINTS_ORDER]
    )
    return None if row is None else row[0]


def write_points_checked(
    database: Database, run_id: str, metrics: Sequence[Metric], owner: str | None
) -> bool:
    """:func:`write_points_alone` that also applies the service's rule for results (the
    run is not deleted, not finished, and ``owner``'s; None: any owner, for an admin) in
    the same statement. True if the points were stored; False if the rule (or a missing
    run) refused them, and the caller finds out which."""
    columns = _pg_columns(run_id, metrics)
    columns["owner"] = owner
    row = database.write_statement(
        _PG_WRITE_CHECKED_RAW, [columns[name] for name in _PG_WRITE_CHECKED_ORDER]
    )
    return row is not None and row[0] == ACTIVE_STAGE


def _pg_columns(run_id: str, metrics: Sequence[Metric]) -> dict[str, Any]:
    """The parameters of ``_PG_WRITE_POINTS``: the batch as columns, each an array literal.

    psycopg adapts a list element by element in Python (22 lists took 0.1 ms, a fifth of
    a synchronous log_metric); a string goes out as it is, and PostgreSQL's array input
    reads it. Python's float repr round-trips exactly through float8 input (``inf`` and
    ``-inf`` included); NaN is already None, NULL in the array. Values are the validated
    Python floats and ints of the entities.
    """
    summaries: list[tuple[Any, ...]] = []
    points: list[tuple[Any, ...]] = []
    blocks: list[tuple[Any, ...]] = []
    for key, series in series_of(metrics).items():
        quoted = _array_quoted(key)
        finest = rollups.blocks_of(series, rollups.LEVEL_SHIFTS[0])
        _, last_step, last_timestamp, last_value, lo, hi, n = rollups.summary_of(finest)
        summaries.append((quoted, last_value, last_step, last_timestamp, lo, hi, n))
        points.extend(
            (quoted, step, timestamp, back, value)
            for back, (step, timestamp, value) in enumerate(series, -n)
        )
        blocks.extend((quoted, *row) for row in rollups.level_rows(finest))
    columns: dict[str, Any] = {"run_id": run_id}
    for group, rows in zip(_PG_COLUMNS, (summaries, points, blocks), strict=True):
        for (name, kind), column in zip(group, zip(*rows, strict=True), strict=True):
            columns[name] = _ARRAY_LITERAL[kind](column)
    return columns


def _array_quoted(text: str) -> str:
    """``text`` as an element of an array literal: double-quoted, \\ and " escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_ARRAY_LITERAL: dict[str, Any] = {
    "key": lambda column: "{" + ",".join(column) + "}",  # quoted by _array_quoted
    "int": lambda column: "{" + ",".join(map(str, column)) + "}",
    # No float's repr contains "None": the one replace turns exactly the Nones into NULLs.
    "float": lambda column: "{" + ",".join(map(repr, column)).replace("None", "NULL") + "}",
}
# (placeholder name, kind) per column of _PG_WRITE_POINTS' three unnests, in the order of
# _pg_columns' rows.
_PG_COLUMNS = (
    (("keys", "key"), ("values", "float"), ("steps", "int"), ("timestamps", "int"),
     ("mins", "float"), ("maxes", "float"), ("counts", "int")),
    (("point_keys", "key"), ("point_steps", "int"), ("point_timestamps", "int"),
     ("point_backs", "int"), ("point_values", "float")),
    (("block_keys", "key"), ("levels", "int"), ("blocks", "int"), ("first_steps", "int"),
     ("last_steps", "int"), ("last_timestamps", "int"), ("last_values", "float"),
     ("block_mins", "float"), ("block_maxes", "float"), ("block_points", "int")),
)  # fmt: skip


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
    "SELECT p.step, p.timestamp, p.value FROM latest_metrics s"
    " JOIN metric_points p ON p.series_id = s.series_id"
    " WHERE s.run_id = ? AND s.key = ?"
    " ORDER BY p.step, p.timestamp, p.seq"  # the primary key's order: no sort step
)
_SERIES_ID = driver_sql("SELECT series_id FROM latest_metrics WHERE run_id = ? AND key = ?")
_ROLLUP_LEVEL = driver_sql(
    "SELECT block, first_step, last_step, last_timestamp, last_value, min_value, max_value,"
    " points FROM metric_rollups WHERE series_id = ? AND level = ? ORDER BY block"
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
    series_id = conn.exec_driver_sql(_SERIES_ID[conn.dialect.name], (run_id, key)).scalar()
    if series_id is None:
        return []
    lo, hi = conn.execute(_step_range_query(), {"series_id": series_id}).one()
    if lo is None:
        return []
    shift = rollups.pick_level(lo, hi, max_points)
    if shift is not None:
        # A long history: merge pre-aggregated blocks instead of reading every point.
        rollup = conn.exec_driver_sql(_ROLLUP_LEVEL[conn.dialect.name], (series_id, shift))
        return rollups.buckets_from_blocks(rollup.all(), lo, shift, max_points)
    width = max(1, -(-(hi - lo + 1) // max_points))  # ceil division: at most max_points buckets
    query = _buckets_query()
    parameters = {"series_id": series_id, "lo": lo, "width": width}
    return [
        MetricBucket(step, timestamp, from_db(value), lo_v, hi_v, n)
        for step, timestamp, value, lo_v, hi_v, n in conn.execute(query, parameters)
    ]


# The queries of ``downsample`` are built once, with bound parameters: building them per
# call cost more than running them (1.5 ms of SQLAlchemy per short history, which a chart
# comparing 100 runs pays 100 times), and a statement built once also hits the compiled
# cache.
@functools.cache
def _step_range_query() -> Select[Any]:
    c = _points.c
    of_series = c.series_id == bindparam("series_id", type_=c.series_id.type)
    # Two scalar subqueries: SQLite answers a lone min() or max() with one index seek,
    # but scans the whole series for min() and max() together.
    return select(
        select(func.min(c.step)).where(of_series).scalar_subquery(),
        select(func.max(c.step)).where(of_series).scalar_subquery(),
    )


@functools.cache
def _buckets_query() -> Select[Any]:
    c = _points.c
    series_id = bindparam("series_id", type_=c.series_id.type)
    lo = bindparam("lo", type_=c.step.type)
    width = bindparam("width", type_=c.step.type)
    groups = (
        select(
            func.min(c.step).label("first_step"),
            func.max(c.step).label("last_step"),
            func.min(c.value).label("min_value"),
            func.max(c.value).label("max_value"),
            func.count().label("n"),
        )
        .where(c.series_id == series_id)
        .group_by((c.step - lo) // width)
        .subquery()
    )
    # The last point of each bucket: one index seek per bucket (cheaper than aggregating).
    point = _points.alias("last_point")
    last_point = (
        select(point.c.timestamp, point.c.value)
        .where(point.c.series_id == series_id, point.c.step == groups.c.last_step)
        # The primary key backwards; points tied on step and timestamp are few.
        .order_by(point.c.timestamp.desc(), point.c.value.desc().nulls_last())
        .limit(1)
    )
    return select(
        groups.c.first_step,
        last_point.with_only_columns(point.c.timestamp).scalar_subquery(),
        last_point.with_only_columns(point.c.value).scalar_subquery(),
        groups.c.min_value,
        groups.c.max_value,
        groups.c.n,
    ).order_by(groups.c.first_step)
