"""LiveMetrics: points pushed from the kernel as they are logged, throttled, complete."""

from __future__ import annotations

import itertools
import math
import time
from typing import Any

import jupyter_mlops as mlops
from jupyter_mlops.client import fluent
from jupyter_mlops.widgets import LiveMetrics


class RecordingLiveMetrics(LiveMetrics):
    """Keeps what would go to the browser, with the time it was sent."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.sent: list[tuple[float, dict[str, Any]]] = []
        super().__init__(*args, **kwargs)

    def send(self, content: Any, buffers: Any = None) -> None:
        self.sent.append((time.monotonic(), content))


def _received(widget: RecordingLiveMetrics) -> dict[str, list[float | None]]:
    """What a browser holds after applying every message, by series label."""
    series: dict[str, list[float | None]] = {}
    for _, message in widget.sent:
        if message["type"] == "snapshot":
            series = {}
        for s in message["series"]:
            series.setdefault(s["label"], []).extend(s["value"])
    return series


def _wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_points_reach_the_chart_while_the_loop_runs_at_a_few_updates_a_second(
    mlops_local_store: Any,
) -> None:
    with mlops.start_run(run_name="train") as run:
        live = RecordingLiveMetrics(run, keys=["loss", "acc"], min_interval=0.3)
        started = time.monotonic()
        for step in range(60):
            mlops.log_metric("loss", 1.0 / (step + 1), step=step)
            mlops.log_metric("acc", step / 60, step=step)
            mlops.log_metric("ignored", 1.0, step=step)
            time.sleep(0.02)
        # Points were pushed before the loop ended (not only at the end)...
        _wait_for(lambda: len(live.sent) >= 2)
        assert live.sent[1][0] - started < 1.5
    elapsed = time.monotonic() - started
    _wait_for(lambda: live.point_count == 120)

    # ...at most a few times a second...
    pushes = [t for t, m in live.sent if m["type"] == "points" and m["series"]]
    assert len(pushes) <= elapsed / 0.3 + 2
    # (the last one may come sooner: the run's end sends what is left at once)
    assert all(b - a >= 0.25 for a, b in itertools.pairwise(pushes[:-1]))
    # ...and the browser ends up with every point, in order, and only the chosen keys.
    received = _received(live)
    assert set(received) == {"loss", "acc"}
    assert received["loss"] == [1.0 / (s + 1) for s in range(60)]
    assert live.status == "FINISHED"
    assert live.run_ids == [run.run_id]


def test_history_so_far_is_loaded_and_a_late_view_gets_a_snapshot(
    mlops_local_store: Any,
) -> None:
    with mlops.start_run() as run:
        for step in range(5):
            mlops.log_metric("loss", float(step), step=step)
        mlops.log_metric("loss", math.nan, step=5)
        live = RecordingLiveMetrics(run.run_id)
        assert live.point_count == 6

        # A view that appears later asks for everything (as the frontend model does).
        live._handle_msg(
            {
                "content": {"data": {"method": "custom", "content": {"type": "snapshot"}}},
                "buffers": [],
            }
        )

    snapshot = live.sent[-1][1]
    assert snapshot["type"] == "snapshot"
    (series,) = snapshot["series"]
    assert series["step"] == [0, 1, 2, 3, 4, 5]
    assert series["value"] == [0.0, 1.0, 2.0, 3.0, 4.0, None]  # JSON has no NaN


def test_without_an_active_run_it_follows_every_run_that_logs(mlops_local_store: Any) -> None:
    live = RecordingLiveMetrics(min_interval=0.0)
    for name in ("a", "b"):
        with mlops.start_run(run_name=name):
            mlops.log_metric("loss", 0.5, step=0)
            mlops.log_metric("system/cpu_utilization_percentage", 3.0)
    _wait_for(lambda: live.point_count == 2)
    assert len(live.run_ids) == 2
    labels = {s["label"] for s in live.snapshot()}
    assert labels == {"a · loss", "b · loss"}  # system metrics only when asked for


def test_a_closed_chart_stops_listening(mlops_local_store: Any) -> None:
    with mlops.start_run() as run:
        live = RecordingLiveMetrics(run)
        live.close()
        mlops.log_metric("loss", 1.0)
    fluent.flush()
    assert live.point_count == 0


def test_fallback_shows_the_series_for_renderers_without_widgets(mlops_local_store: Any) -> None:
    with mlops.start_run() as run:
        for step in range(10):
            mlops.log_metric("loss", 1.0 / (step + 1), step=step)
        fluent.flush()
        live = LiveMetrics(run)
    bundle = live._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == live.model_id
    html = bundle["text/html"]
    assert "loss" in html and "<svg" in html and ">10<" in html  # 10 points
    assert "last 0.1 at step 9" in bundle["text/plain"]
    live.close()
