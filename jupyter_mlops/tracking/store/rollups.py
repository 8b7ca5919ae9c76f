"""Pre-aggregated metric histories, so that a long history downsamples in milliseconds.

Each series keeps, per level, one row per aligned block of steps (``step >> shift``): the
block's first step, its last point (highest step, then timestamp, then value, NaN lowest),
its NaN-ignoring min and max, and its point count. The write path folds every batch into
all levels (a few dozen upserts per 1,000 points); downsampling reads the finest level
with at most ``LEVEL_SPACING * max_points`` blocks in the series' step range and merges
consecutive blocks into at most ``max_points`` buckets, so it never reads the points.

Levels are 64, 256, 1,024, ... steps wide. A history whose step range fits in
``64 * max_points`` steps is small enough to downsample exactly from its points.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Sequence
from typing import Any

from ..entities import MetricBucket

LEVEL_SHIFTS = (6, 8, 10, 12, 14, 16, 18, 20)
LEVEL_SPACING = 4  # each level's blocks are 4x as wide as the one below

# (first_step, last_step, last_timestamp, last_value, min_value, max_value, points)
Aggregate = tuple[int, int, int, float | None, float | None, float | None, int]
# series_id, level (the shift), block, then the aggregate: the upsert's column order.
RollupRow = tuple[int, int, int, int, int, int, float | None, float | None, float | None, int]
# A RollupRow without its series id.
LevelRow = tuple[int, int, int, int, int, float | None, float | None, float | None, int]


def _later(a: Aggregate, b: Aggregate) -> bool:
    """Whether b's last point comes after a's (NaN, stored as None, ranks lowest)."""
    if b[1] != a[1]:
        return b[1] > a[1]
    if b[2] != a[2]:
        return b[2] > a[2]
    if a[3] is None:
        return b[3] is not None
    return b[3] is not None and b[3] > a[3]


def _merge(a: Aggregate, b: Aggregate) -> Aggregate:
    last = b if _later(a, b) else a
    lo = b[4] if a[4] is None else a[4] if b[4] is None else min(a[4], b[4])
    hi = b[5] if a[5] is None else a[5] if b[5] is None else max(a[5], b[5])
    return (min(a[0], b[0]), last[1], last[2], last[3], lo, hi, a[6] + b[6])


def blocks_of(points: Sequence[tuple[int, int, float | None]], shift: int) -> dict[int, Aggregate]:
    """One batch's points, (step, timestamp, value), aggregated per block of a level."""
    steps = [p[0] for p in points]
    if all(map(operator.le, steps, steps[1:])):
        return _sorted_blocks(points, steps, shift)
    blocks: dict[int, Aggregate] = {}
    for step, timestamp, value in points:
        single: Aggregate = (step, step, timestamp, value, value, value, 1)
        known = blocks.get(step >> shift)
        blocks[step >> shift] = single if known is None else _merge(known, single)
    return blocks


def _sorted_blocks(
    points: Sequence[tuple[int, int, float | None]], steps: list[int], shift: int
) -> dict[int, Aggregate]:
    # Points logged in step order (a training loop): each block is one slice, found by
    # bisection and reduced by built-ins, instead of a Python step per point.
    values = [p[2] for p in points]
    blocks: dict[int, Aggregate] = {}
    start, n = 0, len(steps)
    while start < n:
        block = steps[start] >> shift
        end = bisect.bisect_left(steps, (block + 1) << shift, start, n)
        chunk = values[start:end]
        numbers: list[float] = [v for v in chunk if v is not None] if None in chunk else chunk  # type: ignore[assignment]
        lo, hi = (min(numbers), max(numbers)) if numbers else (None, None)
        # The last point: among those sharing the highest step, the latest by timestamp,
        # then value (usually just one).
        tail = bisect.bisect_left(steps, steps[end - 1], start, end)
        last = points[end - 1]
        for candidate in points[tail : end - 1]:
            if _later(_single(last), _single(candidate)):
                last = candidate
        blocks[block] = (steps[start], last[0], last[1], last[2], lo, hi, end - start)
        start = end
    return blocks


def _single(point: tuple[int, int, float | None]) -> Aggregate:
    return (point[0], point[0], point[1], point[2], point[2], point[2], 1)


def summary_of(finest: dict[int, Aggregate]) -> Aggregate:
    """The whole batch as one aggregate (its latest point, min, max, count), from its
    blocks at the finest level rather than from the points again."""
    blocks = iter(finest.values())
    total = next(blocks)
    for agg in blocks:
        total = _merge(total, agg)
    return total


def rollup_rows(series_id: int, finest: dict[int, Aggregate]) -> list[RollupRow]:
    """The rows one batch of a series adds to every level, from its blocks at the finest
    level (``blocks_of(points, LEVEL_SHIFTS[0])``); each level is built from the one below."""
    return [(series_id, *row) for row in level_rows(finest)]


def level_rows(finest: dict[int, Aggregate]) -> list[LevelRow]:
    """:func:`rollup_rows` without the series id (which PostgreSQL's single-statement write
    only learns inside the statement)."""
    rows: list[LevelRow] = []
    level = finest
    previous = LEVEL_SHIFTS[0]
    for shift in LEVEL_SHIFTS:
        if shift != previous:
            up: dict[int, Aggregate] = {}
            for block, agg in level.items():
                parent = block >> (shift - previous)
                known = up.get(parent)
                up[parent] = agg if known is None else _merge(known, agg)
            level, previous = up, shift
        rows.extend((shift, block, *agg) for block, agg in level.items())
    return rows


def pick_level(lo: int, hi: int, max_points: int) -> int | None:
    """The finest level whose blocks over [lo, hi] number at most spacing x max_points, or
    None when even the finest has at most max_points blocks (downsample the points)."""
    if (hi >> LEVEL_SHIFTS[0]) - (lo >> LEVEL_SHIFTS[0]) + 1 <= max_points:
        return None
    for shift in LEVEL_SHIFTS:
        if (hi >> shift) - (lo >> shift) + 1 <= LEVEL_SPACING * max_points:
            return shift
    return LEVEL_SHIFTS[-1]


def buckets_from_blocks(
    rows: Sequence[Any], lo: int, shift: int, max_points: int
) -> list[MetricBucket]:
    """Merge a level's rows, (block, *aggregate) in block order, into at most
    ``max_points`` buckets of consecutive blocks."""
    if not rows:
        return []
    first_block = lo >> shift
    span = rows[-1][0] - first_block + 1
    per_bucket = -(-span // max_points)  # ceil: at most max_points buckets
    buckets: list[MetricBucket] = []
    current: Aggregate | None = None
    current_group = None
    for block, *agg in rows:
        group = (block - first_block) // per_bucket
        aggregate = tuple(agg)
        if group != current_group:
            if current is not None:
                buckets.append(_bucket(current))
            current, current_group = aggregate, group
        else:
            assert current is not None
            current = _merge(current, aggregate)
    if current is not None:
        buckets.append(_bucket(current))
    return buckets


def _bucket(agg: Aggregate) -> MetricBucket:
    value = float("nan") if agg[3] is None else agg[3]
    return MetricBucket(agg[0], agg[2], value, agg[4], agg[5], agg[6])
