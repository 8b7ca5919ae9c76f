"""Metric logging: background batches, synchronous writes, flushing and its failures."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from client_support import Tracking

import jupyter_mlops as mlops
from jupyter_mlops.errors import InvalidParameter
from jupyter_mlops.tracking.entities import Metric, RunStatus

REPO = Path(__file__).resolve().parents[2]


def test_batched_points_all_arrive_in_order_by_end_run(mlops_tracking: Tracking) -> None:
    # More than two full batches, so that size-triggered and final flushes both happen.
    n = 2_345
    with mlops.start_run() as run:
        for step in range(n):
            mlops.log_metric("loss", 1.0 / (step + 1), step=step)
            if step % 10 == 0:
                mlops.log_metrics({"acc": step / n, "lr": 0.1}, step=step)

    history = mlops_tracking.client.get_metric_history(run.run_id, "loss")
    assert [p.step for p in history] == list(range(n))
    assert [p.value for p in history] == [1.0 / (s + 1) for s in range(n)]
    assert len(mlops_tracking.client.get_metric_history(run.run_id, "acc")) == math.ceil(n / 10)
    latest = mlops_tracking.client.get_run(run.run_id).metrics
    assert latest["loss"].step == n - 1
    assert latest["loss"].min == 1.0 / n
    assert latest["loss"].max == 1.0


def test_same_step_points_keep_their_logging_order(mlops_tracking: Tracking) -> None:
    with mlops.start_run() as run:
        for i in range(5):
            mlops.log_metric("x", float(i), timestamp=1_000 + i)

    history = mlops_tracking.client.get_metric_history(run.run_id, "x")
    assert [(p.step, p.timestamp, p.value) for p in history] == [
        (0, 1_000 + i, float(i)) for i in range(5)
    ]


def test_synchronous_points_are_stored_before_the_call_returns(
    mlops_tracking: Tracking,
) -> None:
    with mlops.start_run(synchronous=True) as run:
        mlops.log_metric("loss", 0.9, step=1)
        # The explicit client does not go through the queue: it sees only what is stored.
        assert [p.value for p in mlops_tracking.client.get_metric_history(run.run_id, "loss")] == [
            0.9
        ]

    with mlops.start_run() as batched_run:
        mlops.log_metric("loss", 0.8, step=1, synchronous=True)
        history = mlops_tracking.client.get_metric_history(batched_run.run_id, "loss")
        assert [p.value for p in history] == [0.8]


def test_a_synchronous_point_goes_after_the_queued_ones(mlops_tracking: Tracking) -> None:
    with mlops.start_run() as run:
        mlops.log_metric("m", 1.0, timestamp=1)
        mlops.log_metric("m", 2.0, timestamp=1, synchronous=True)

        history = mlops_tracking.client.get_metric_history(run.run_id, "m")
        assert [p.value for p in history] == [1.0, 2.0]


def test_flush_and_get_run_read_your_writes(mlops_tracking: Tracking) -> None:
    with mlops.start_run() as run:
        mlops.log_metric("a", 1.5)
        assert mlops.get_run(run.run_id).metrics["a"].value == 1.5
        mlops.log_metric("b", 2.5)
        mlops.flush()
        assert mlops_tracking.client.get_run(run.run_id).metrics["b"].value == 2.5


def test_step_defaults_to_zero_and_non_finite_values_round_trip(
    mlops_tracking: Tracking,
) -> None:
    with mlops.start_run() as run:
        mlops.log_metrics({"nan": math.nan, "pos": math.inf, "neg": -math.inf})

    metrics = mlops_tracking.client.get_run(run.run_id).metrics
    assert math.isnan(metrics["nan"].value)
    assert metrics["pos"].value == math.inf
    assert metrics["neg"].value == -math.inf
    assert {m.step for m in metrics.values()} == {0}
    history = mlops_tracking.client.get_metric_history(run.run_id, "neg")
    assert history == [Metric("neg", -math.inf, history[0].timestamp, 0)]


def test_bad_values_are_refused_at_the_call(mlops_tracking: Tracking) -> None:
    with mlops.start_run():
        with pytest.raises(InvalidParameter) as raised:
            mlops.log_metric("loss", "low")
        assert raised.value.field == "value"
        with pytest.raises(InvalidParameter):
            mlops.log_metric("loss", 0.1, step=1.5)


def test_a_failed_background_write_is_raised_by_flush(mlops_tracking: Tracking) -> None:
    with mlops.start_run() as run:
        mlops.log_metric("../escape", 1.0)  # the server's validation refuses this key

        with pytest.raises(InvalidParameter, match="could not be written"):
            mlops.flush()
        mlops.log_metric("ok", 1.0)  # reported once; logging goes on

    assert "ok" in mlops_tracking.client.get_run(run.run_id).metrics


def test_a_failed_background_write_is_raised_at_the_end_of_the_run(
    mlops_tracking: Tracking,
) -> None:
    with (
        pytest.raises(InvalidParameter, match="could not be written"),
        mlops.start_run() as run,
    ):
        mlops.log_metric("loss", 1.0)
        mlops.log_metric("../escape", 1.0)

    # The run is ended all the same (a batch is atomic: its other point is lost with it).
    assert mlops.active_run() is None
    stored = mlops_tracking.client.get_run(run.run_id)
    assert stored.info.status == RunStatus.FINISHED


def test_a_failed_background_write_is_raised_by_the_next_call(
    mlops_tracking: Tracking,
) -> None:
    with mlops.start_run():
        mlops.log_metric("../escape", 1.0)

        # The background thread writes within ~0.2 s; from then on the next call raises.
        deadline = time.monotonic() + 30
        with pytest.raises(InvalidParameter, match="could not be written"):
            while time.monotonic() < deadline:
                mlops.log_metric("loss", 1.0)
                time.sleep(0.05)


@pytest.mark.slow
def test_queued_points_are_written_when_the_interpreter_exits(
    mlops_tracking: Tracking,
) -> None:
    # A script that never ends its run nor flushes: the exit hook must do both.
    script = textwrap.dedent(
        """
        import jupyter_mlops as mlops
        run = mlops.start_run(run_name="left-open")
        for step in range(1500):
            mlops.log_metric("loss", step * 0.5, step=step)
        print(run.run_id)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    run_id = done.stdout.strip()
    history = mlops_tracking.client.get_metric_history(run_id, "loss")
    assert [p.step for p in history] == list(range(1500))
    assert mlops_tracking.client.get_run(run_id).info.status == RunStatus.FINISHED


@pytest.mark.slow
def test_a_script_that_crashes_leaves_its_run_failed(mlops_tracking: Tracking) -> None:
    script = textwrap.dedent(
        """
        import jupyter_mlops as mlops
        run = mlops.start_run()
        mlops.log_metric("loss", 1.0)
        print(run.run_id, flush=True)
        raise RuntimeError("boom")
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 1
    run = mlops_tracking.client.get_run(done.stdout.strip())
    assert run.info.status == RunStatus.FAILED
    assert run.metrics["loss"].value == 1.0


def test_a_backlog_goes_out_in_full_batches_and_the_rest_with_the_flush() -> None:
    from jupyter_mlops.client.batcher import MetricBatcher

    written: list[list[int]] = []
    batcher = MetricBatcher(batch_size=10, interval=60.0)

    def write(run_id: str, points: Sequence[Metric], first_seq: int) -> None:
        written.append([p.step for p in points])

    for step in range(13):
        batcher.add_one("r", Metric("loss", 0.5, 1, step), write)
    deadline = time.monotonic() + 10
    while not written and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)  # room for a wrong extra write to show up
    assert written == [list(range(10))]  # the three left over wait for more points

    batcher.flush("r")
    assert written == [list(range(10)), [10, 11, 12]]
