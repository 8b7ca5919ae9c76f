"""System metrics sampled in the background as system/... metrics of the run."""

from __future__ import annotations

import time
from typing import Any

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.client import system_metrics

EXPECTED = {
    "system/cpu_utilization_percentage",
    "system/system_memory_usage_megabytes",
    "system/system_memory_usage_percentage",
    "system/disk_usage_percentage",
    "system/disk_usage_megabytes",
    "system/disk_available_megabytes",
}


def _wait_for_samples(client: Any, run_id: str, key: str, count: int) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        mlops.flush()
        if len(client.get_metric_history(run_id, key)) >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} samples of {key}")


def test_a_run_samples_system_metrics_until_it_ends(mlops_local_store: Any) -> None:
    with mlops.start_run(system_metrics=True, system_metrics_interval=0.1) as run:
        _wait_for_samples(mlops_local_store, run.run_id, "system/cpu_utilization_percentage", 3)
    fetched = mlops_local_store.get_run(run.run_id)
    assert set(fetched.metrics) >= EXPECTED
    history = mlops_local_store.get_metric_history(run.run_id, "system/disk_usage_percentage")
    assert [p.step for p in history] == list(range(len(history)))
    assert all(0 <= p.value <= 100 for p in history)
    # Sampling stopped with the run.
    time.sleep(0.4)
    mlops.flush()
    later = mlops_local_store.get_metric_history(run.run_id, "system/disk_usage_percentage")
    assert len(later) == len(history)


def test_off_by_default_and_on_with_the_setting(
    mlops_local_store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with mlops.start_run() as plain:
        time.sleep(0.3)
    assert not mlops_local_store.get_run(plain.run_id).metrics

    monkeypatch.setenv(system_metrics.ENV_ENABLED, "true")
    monkeypatch.setenv(system_metrics.ENV_INTERVAL, "0.1")
    with mlops.start_run() as sampled:
        _wait_for_samples(mlops_local_store, sampled.run_id, "system/disk_usage_percentage", 1)
    assert set(mlops_local_store.get_run(sampled.run_id).metrics) >= EXPECTED


def test_track_start_takes_system_metrics(mlops_ipython: Any, mlops_local_store: Any) -> None:
    summary = mlops_ipython.run_line_magic("track", "start --system-metrics")
    active = mlops.active_run()
    assert active is not None and active._sampler is not None
    mlops_ipython.run_line_magic("track", "end")
    assert active._sampler._stop.is_set()
    assert summary.run_id == active.run_id


def test_a_reading_has_every_metric_in_range() -> None:
    values = system_metrics.read_system_metrics()
    assert set(values) >= EXPECTED
    assert 0 <= values["system/system_memory_usage_percentage"] <= 100
