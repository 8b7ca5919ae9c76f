"""The hook live widgets use: listeners see every point once written, whatever the path."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import jupyter_mlops as mlops
from jupyter_mlops.client import fluent
from jupyter_mlops.tracking.entities import Metric, RunStatus


def test_listeners_see_every_point_in_order_and_a_broken_one_harms_nothing(
    mlops_local_store: Any,
) -> None:
    seen: list[tuple[str, int]] = []
    threads: set[str] = set()

    def listener(run_id: str, points: Sequence[Metric]) -> None:
        threads.add(threading.current_thread().name)
        seen.extend((run_id, p.step) for p in points)

    def broken(run_id: str, points: Sequence[Metric]) -> None:
        raise RuntimeError("a chart that fails")

    fluent.add_metric_listener(broken)
    fluent.add_metric_listener(listener)
    try:
        with mlops.start_run() as batched:
            for step in range(2500):  # more than one batch
                mlops.log_metric("loss", 0.5, step=step)
                if step == 1200:
                    time.sleep(0.6)  # the background writer's turn (every 0.2 s)
        with mlops.start_run(synchronous=True) as synchronous:
            mlops.log_metric("loss", 0.5, step=7)
    finally:
        fluent.remove_metric_listener(listener)
        fluent.remove_metric_listener(broken)

    assert [s for r, s in seen if r == batched.run_id] == list(range(2500))
    assert [s for r, s in seen if r == synchronous.run_id] == [7]
    # Every point was stored although a listener raised.
    history = mlops_local_store.get_metric_history(batched.run_id, "loss")
    assert len(history) == 2500
    assert "jupyter-mlops-metric-batcher" in threads  # not the training loop's thread


def test_run_end_listeners_get_the_final_status(mlops_local_store: Any) -> None:
    ended: list[tuple[str, RunStatus]] = []

    def on_end(run_id: str, status: RunStatus) -> None:
        ended.append((run_id, status))

    fluent.add_run_end_listener(on_end)
    try:
        try:
            with mlops.start_run() as run:
                raise ValueError("diverged")
        except ValueError:
            pass
    finally:
        fluent.remove_run_end_listener(on_end)
    assert ended == [(run.run_id, RunStatus.FAILED)]
