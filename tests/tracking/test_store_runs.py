"""Runs in the SQL tracking store: lifecycle, params, metrics, tags and metric histories."""

from __future__ import annotations

import math
import re

import pytest

from jupyter_mlops.errors import InvalidParameter, InvalidState, NotFound
from jupyter_mlops.tracking.entities import LifecycleStage, Metric, RunStatus
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore

INF = float("inf")


@pytest.fixture
def mlops_run_id(mlops_store: SqlTrackingStore) -> str:
    eid = mlops_store.create_experiment("exp", "alice").experiment_id
    return mlops_store.create_run(eid, "alice").info.run_id


def test_create_run_defaults(mlops_store: SqlTrackingStore) -> None:
    run = mlops_store.create_run("0", "alice", tags={"k": "v"})
    info = run.info

    assert re.fullmatch(r"[0-9a-f]{32}", info.run_id)
    assert re.fullmatch(r"[a-z]+-[a-z]+-\d{3}", info.run_name)
    assert (info.experiment_id, info.user, info.status) == ("0", "alice", RunStatus.RUNNING)
    assert info.end_time is None and info.parent_run_id is None
    assert info.artifact_uri == f"0/{info.run_id}/artifacts"
    assert mlops_store.get_run(info.run_id) == run
    assert run.tags == {"k": "v"}


def test_create_run_with_name_start_time_and_parent(mlops_store: SqlTrackingStore) -> None:
    parent = mlops_store.create_run("0", "alice", run_name="outer").info.run_id
    child = mlops_store.create_run(
        "0", "alice", run_name="inner", start_time=1234, parent_run_id=parent
    )
    fetched = mlops_store.get_run(child.info.run_id).info
    assert (fetched.run_name, fetched.start_time, fetched.parent_run_id) == ("inner", 1234, parent)
    assert [
        r.info.run_id for r in mlops_store.search_runs(["0"], f"parent_run_id = '{parent}'").items
    ] == [child.info.run_id]


def test_create_run_errors(mlops_store: SqlTrackingStore) -> None:
    with pytest.raises(NotFound, match="'42'"):
        mlops_store.create_run("42", "alice")
    with pytest.raises(NotFound, match="f" * 32):
        mlops_store.create_run("0", "alice", parent_run_id="f" * 32)
    with pytest.raises(NotFound, match="nope"):
        mlops_store.get_run("nope")


def test_update_run_status_end_time_and_name(
    mlops_store: SqlTrackingStore, mlops_run_id: str
) -> None:
    info = mlops_store.update_run(mlops_run_id, status=RunStatus.FINISHED)
    assert info.status is RunStatus.FINISHED and info.end_time is not None

    resumed = mlops_store.update_run(mlops_run_id, status=RunStatus.RUNNING)
    assert resumed.status is RunStatus.RUNNING and resumed.end_time is None

    failed = mlops_store.update_run(
        mlops_run_id, status=RunStatus.FAILED, end_time=99, run_name="x"
    )
    assert (failed.status, failed.end_time, failed.run_name) == (RunStatus.FAILED, 99, "x")
    assert mlops_store.get_run(mlops_run_id).info == failed


def test_get_run_info_is_the_runs_attributes(
    mlops_store: SqlTrackingStore, mlops_run_id: str
) -> None:
    mlops_store.log_batch(mlops_run_id, [Metric("m", 1.0, 1)], params={"p": "1"}, tags={"t": "2"})
    mlops_store.update_run(mlops_run_id, status=RunStatus.KILLED, end_time=7)

    info = mlops_store.get_run_info(mlops_run_id)
    assert info == mlops_store.get_run(mlops_run_id).info
    assert (info.status, info.end_time) == (RunStatus.KILLED, 7)
    mlops_store.set_run_lifecycle(mlops_run_id, LifecycleStage.DELETED)
    assert mlops_store.get_run_info(mlops_run_id).lifecycle_stage is LifecycleStage.DELETED
    with pytest.raises(NotFound, match="f" * 32):
        mlops_store.get_run_info("f" * 32)


def test_delete_and_restore_run(mlops_store: SqlTrackingStore, mlops_run_id: str) -> None:
    mlops_store.set_run_lifecycle(mlops_run_id, LifecycleStage.DELETED)
    assert mlops_store.get_run(mlops_run_id).info.lifecycle_stage is LifecycleStage.DELETED
    with pytest.raises(InvalidState):
        mlops_store.log_batch(mlops_run_id, [Metric("m", 1.0, 1)])
    with pytest.raises(InvalidState):
        mlops_store.delete_run_tag(mlops_run_id, "k")

    mlops_store.set_run_lifecycle(mlops_run_id, LifecycleStage.ACTIVE)
    mlops_store.log_batch(mlops_run_id, [Metric("m", 1.0, 1)])
    with pytest.raises(NotFound):
        mlops_store.set_run_lifecycle("0" * 32, LifecycleStage.DELETED)


def test_runs_of_a_deleted_experiment_cannot_be_restored_alone(
    mlops_store: SqlTrackingStore,
) -> None:
    eid = mlops_store.create_experiment("e", "alice").experiment_id
    run_id = mlops_store.create_run(eid, "alice").info.run_id
    mlops_store.delete_experiment(eid)
    with pytest.raises(InvalidState):
        mlops_store.set_run_lifecycle(run_id, LifecycleStage.ACTIVE)


def test_params_are_immutable(mlops_store: SqlTrackingStore, mlops_run_id: str) -> None:
    mlops_store.log_batch(mlops_run_id, params={"lr": "0.1", "opt": "adam"})
    mlops_store.log_batch(mlops_run_id, params={"lr": "0.1"})  # the same value again is fine

    with pytest.raises(InvalidParameter) as info:
        mlops_store.log_batch(
            mlops_run_id,
            metrics=[Metric("loss", 1.0, 1)],
            params={"new": "1", "lr": "0.2"},
            tags={"t": "v"},
        )
    assert info.value.field == "params.lr"
    assert info.value.http_status == 400
    # Nothing of the refused batch was stored.
    run = mlops_store.get_run(mlops_run_id)
    assert run.params == {"lr": "0.1", "opt": "adam"}
    assert run.metrics == {} and run.tags == {}
    assert mlops_store.get_metric_history(mlops_run_id, "loss") == []


def test_long_param_and_tag_values(mlops_store: SqlTrackingStore, mlops_run_id: str) -> None:
    # Random-looking text that does not compress (PostgreSQL index rows are limited to ~2.7 kB).
    value = "".join(chr(33 + (i * 7919) % 90) for i in range(6000))
    mlops_store.log_batch(mlops_run_id, params={"config": value}, tags={"note": value[:5000]})
    run = mlops_store.get_run(mlops_run_id)
    assert run.params["config"] == value and run.tags["note"] == value[:5000]


def test_tags_upsert_and_delete(mlops_store: SqlTrackingStore, mlops_run_id: str) -> None:
    mlops_store.log_batch(mlops_run_id, tags={"a": "1", "b": "2"})
    mlops_store.log_batch(mlops_run_id, tags={"a": "3"})
    assert mlops_store.get_run(mlops_run_id).tags == {"a": "3", "b": "2"}

    mlops_store.delete_run_tag(mlops_run_id, "a")
    assert mlops_store.get_run(mlops_run_id).tags == {"b": "2"}
    with pytest.raises(NotFound, match="'a'"):
        mlops_store.delete_run_tag(mlops_run_id, "a")


def test_metric_history_keeps_every_point_in_step_order(
    mlops_store: SqlTrackingStore, mlops_run_id: str
) -> None:
    points = [Metric("loss", 0.5, 20, 2), Metric("loss", 0.9, 10, 1), Metric("loss", 0.9, 10, 1)]
    mlops_store.log_batch(mlops_run_id, points)
    mlops_store.log_batch(mlops_run_id, [Metric("loss", 0.7, 15, 1), Metric("acc", 0.1, 1, 0)])

    history = mlops_store.get_metric_history(mlops_run_id, "loss")
    assert [(m.step, m.timestamp, m.value) for m in history] == [
        (1, 10, 0.9),
        (1, 10, 0.9),  # duplicates are kept: the history is append-only
        (1, 15, 0.7),
        (2, 20, 0.5),
    ]
    assert mlops_store.get_metric_history(mlops_run_id, "unknown") == []
    with pytest.raises(NotFound):
        mlops_store.get_metric_history("0" * 32, "loss")


def test_nan_and_infinities_round_trip(mlops_store: SqlTrackingStore, mlops_run_id: str) -> None:
    mlops_store.log_batch(
        mlops_run_id,
        [Metric("m", float("nan"), 1, 0), Metric("m", INF, 2, 1), Metric("m", -INF, 3, 2)],
    )
    values = [m.value for m in mlops_store.get_metric_history(mlops_run_id, "m")]
    assert math.isnan(values[0]) and values[1:] == [INF, -INF]

    summary = mlops_store.get_run(mlops_run_id).metrics["m"]
    assert (summary.value, summary.step, summary.min, summary.max) == (-INF, 2, -INF, INF)


def test_latest_value_is_highest_step_then_timestamp_then_value(
    mlops_store: SqlTrackingStore, mlops_run_id: str
) -> None:
    def latest() -> tuple[int, int, float]:
        s = mlops_store.get_run(mlops_run_id).metrics["m"]
        return s.step, s.timestamp, s.value

    mlops_store.log_batch(mlops_run_id, [Metric("m", 5.0, 100, 3)])
    mlops_store.log_batch(mlops_run_id, [Metric("m", 1.0, 999, 2)])  # older step, newer time
    assert latest() == (3, 100, 5.0)
    mlops_store.log_batch(mlops_run_id, [Metric("m", 2.0, 101, 3)])
    assert latest() == (3, 101, 2.0)
    mlops_store.log_batch(mlops_run_id, [Metric("m", 1.5, 101, 3), Metric("m", 3.0, 101, 3)])
    assert latest() == (3, 101, 3.0)  # same step and time: the highest value
    mlops_store.log_batch(mlops_run_id, [Metric("m", -1.0, 50, 4), Metric("m", 9.0, 40, 4)])
    assert latest() == (4, 50, -1.0)


def test_min_max_ignore_nan_and_are_none_when_all_nan(
    mlops_store: SqlTrackingStore, mlops_run_id: str
) -> None:
    nan = float("nan")
    mlops_store.log_batch(mlops_run_id, [Metric("n", nan, 1, 0), Metric("n", nan, 2, 1)])
    only_nan = mlops_store.get_run(mlops_run_id).metrics["n"]
    assert math.isnan(only_nan.value) and only_nan.min is None and only_nan.max is None

    mlops_store.log_batch(mlops_run_id, [Metric("n", 4.0, 3, 0), Metric("n", -2.0, 4, 0)])
    mlops_store.log_batch(mlops_run_id, [Metric("n", nan, 5, 9)])
    summary = mlops_store.get_run(mlops_run_id).metrics["n"]
    assert (summary.min, summary.max, summary.step) == (-2.0, 4.0, 9)
    assert math.isnan(summary.value)


def test_summaries_of_a_batch_mixing_keys_and_nan_ties(
    mlops_store: SqlTrackingStore, mlops_run_id: str
) -> None:
    nan = float("nan")
    mlops_store.log_batch(
        mlops_run_id,
        [
            Metric("a", 2.0, 10, 1),
            Metric("b", nan, 10, 1),
            Metric("a", nan, 10, 1),  # ties the number on step and time: NaN ranks lower
            Metric("b", 5.0, 10, 1),
            Metric("a", -1.0, 5, 0),
        ],
    )
    metrics = mlops_store.get_run(mlops_run_id).metrics
    a, b = metrics["a"], metrics["b"]
    assert (a.value, a.step, a.timestamp, a.min, a.max) == (2.0, 1, 10, -1.0, 2.0)
    assert (b.value, b.step, b.min, b.max) == (5.0, 1, 5.0, 5.0)
    assert len(mlops_store.get_metric_history(mlops_run_id, "a")) == 3


def test_log_batch_on_unknown_run(mlops_store: SqlTrackingStore) -> None:
    with pytest.raises(NotFound, match="a" * 32):
        mlops_store.log_batch("a" * 32, [Metric("m", 1.0, 1)])


def test_downsampling_keeps_a_spike(mlops_store: SqlTrackingStore, mlops_run_id: str) -> None:
    points = [Metric("loss", 1.0, 1000 + i, i) for i in range(1000)]
    points[537] = Metric("loss", 50.0, 1537, 537)
    points[538] = Metric("loss", float("nan"), 1538, 538)
    for start in range(0, 1000, 250):
        mlops_store.log_batch(mlops_run_id, points[start : start + 250])

    buckets = mlops_store.get_metric_history_downsampled(mlops_run_id, "loss", 100)
    assert len(buckets) == 100
    assert sum(b.count for b in buckets) == 1000
    assert [b.step for b in buckets] == list(range(0, 1000, 10))
    spike = buckets[53]
    assert (spike.max, spike.min, spike.count) == (50.0, 1.0, 10)
    assert max(b.max or 0 for b in buckets) == 50.0
    last = buckets[-1]
    assert (last.value, last.timestamp) == (1.0, 1999)  # the bucket's last point


def test_downsampling_short_and_empty_histories(
    mlops_store: SqlTrackingStore, mlops_run_id: str
) -> None:
    assert mlops_store.get_metric_history_downsampled(mlops_run_id, "none", 10) == []
    mlops_store.log_batch(mlops_run_id, [Metric("m", float(i), i, i * 5) for i in range(3)])
    buckets = mlops_store.get_metric_history_downsampled(mlops_run_id, "m", 10)
    assert [(b.step, b.value, b.count) for b in buckets] == [(0, 0.0, 1), (5, 1.0, 1), (10, 2.0, 1)]
    with pytest.raises(InvalidParameter):
        mlops_store.get_metric_history_downsampled(mlops_run_id, "m", 0)


def test_store_reopens_an_existing_database(mlops_store_uri: str) -> None:
    first = SqlTrackingStore(mlops_store_uri)
    run_id = first.create_run("0", "alice").info.run_id
    first.close()

    second = SqlTrackingStore(mlops_store_uri)
    assert second.get_run(run_id).info.user == "alice"
    second.close()
