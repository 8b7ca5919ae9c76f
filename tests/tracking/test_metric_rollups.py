"""Long histories downsample from pre-aggregated blocks, with the same answers as the points."""

from __future__ import annotations

import math
import random

import pytest

from jupyter_mlops.tracking.entities import Metric
from jupyter_mlops.tracking.store import rollups
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore


@pytest.fixture
def mlops_run_id(mlops_store: SqlTrackingStore) -> str:
    return mlops_store.create_run("0", "alice").info.run_id


def _expected(points: list[Metric], lo: int, shift: int, per_bucket: int) -> list[tuple]:
    """Buckets computed the slow way, from every point."""
    groups: dict[int, list[Metric]] = {}
    for m in points:
        groups.setdefault(((m.step >> shift) - (lo >> shift)) // per_bucket, []).append(m)
    out = []
    for _, members in sorted(groups.items()):
        numbers = [m.value for m in members if not math.isnan(m.value)]
        last = max(
            members,
            key=lambda m: (m.step, m.timestamp, not math.isnan(m.value), m.value),
        )
        out.append(
            (
                min(m.step for m in members),
                last.timestamp,
                last.value,
                min(numbers) if numbers else None,
                max(numbers) if numbers else None,
                len(members),
            )
        )
    return out


def _as_tuples(buckets: list) -> list[tuple]:
    return [(b.step, b.timestamp, b.value, b.min, b.max, b.count) for b in buckets]


def _same(got: list[tuple], want: list[tuple]) -> bool:
    # NaN != NaN: compare values as text.
    return [tuple(map(repr, row)) for row in got] == [tuple(map(repr, row)) for row in want]


def test_a_long_history_downsamples_from_blocks_exactly(
    mlops_store: SqlTrackingStore, mlops_run_id: str
) -> None:
    rng = random.Random(3)
    points = [Metric("loss", rng.random(), 10_000 + i, i) for i in range(20_000)]
    points[7_001] = Metric("loss", 99.0, 17_001, 7_001)  # a spike
    points[7_002] = Metric("loss", float("nan"), 17_002, 7_002)
    for start in range(0, 20_000, 1_000):
        batch = points[start : start + 1_000]
        if start == 5_000:
            batch = list(reversed(batch))  # one batch logged out of order
        mlops_store.log_batch(mlops_run_id, batch)
    # Repeats at an existing step, one later and one NaN: they join their block.
    extra = [Metric("loss", -5.0, 40_000, 12_345), Metric("loss", float("nan"), 40_001, 12_345)]
    mlops_store.log_batch(mlops_run_id, extra)
    everything = points + extra

    buckets = mlops_store.get_metric_history_downsampled(mlops_run_id, "loss", 100)

    shift = rollups.pick_level(0, 19_999, 100)
    assert shift == 6  # 313 blocks of 64 steps, merged four at a time
    assert len(buckets) <= 100
    assert sum(b.count for b in buckets) == 20_002
    assert _same(_as_tuples(buckets), _expected(everything, 0, 6, 4))
    assert max(b.max for b in buckets if b.max is not None) == 99.0
    assert min(b.min for b in buckets if b.min is not None) == -5.0


def test_sorted_and_shuffled_batches_aggregate_alike() -> None:
    rng = random.Random(5)
    points = [(step, 1_000 + step, rng.choice([rng.random(), None])) for step in range(3_000)]
    points += [(1_500, 9_999, 0.25), (1_500, 9_999, None)]  # ties on the last step
    in_order = sorted(points, key=lambda p: p[0])
    shuffled = points[:]
    rng.shuffle(shuffled)
    for shift in rollups.LEVEL_SHIFTS:
        assert rollups.blocks_of(in_order, shift) == rollups.blocks_of(shuffled, shift)


def test_short_histories_still_downsample_from_points() -> None:
    """Under 64 steps a bucket, blocks would be coarser than asked: read the points."""
    assert rollups.pick_level(0, 999, 100) is None
    assert rollups.pick_level(0, 6_399, 100) is None
    assert rollups.pick_level(0, 6_400, 100) == 6
