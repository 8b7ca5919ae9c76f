"""The spool's own rules, on real files and a real SQLite store: what a replay reads back,
what it skips, and that a long-lived writer's file is emptied once everything is stored."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.client.batcher import MetricBatcher
from jupyter_mlops.client.spool import SpoolWriter
from jupyter_mlops.client.spool_replay import ReplayReport, parse, replay_spool
from jupyter_mlops.errors import InvalidParameter, MLOpsError
from jupyter_mlops.tracking.entities import Metric


def spool_points(
    writer: SpoolWriter, run_id: str, values: Sequence[float], key: str = "loss"
) -> None:
    """What log_metric does to the file (fluent.ActiveRun._queue_point), without a queue."""
    run = writer.run(run_id)
    with run.lock:
        for value in values:
            seq = run.next_seq
            os.write(writer.fd, run.prefix(key) + b"%d\t%a\t%d\t%d\n" % (seq, value, 1000, seq))
            run.next_seq += 1


@pytest.fixture
def store(tmp_path: Path) -> Iterator[mlops.MlopsClient]:
    client = mlops.MlopsClient(f"sqlite:///{tmp_path / 'mlops.db'}")
    yield client
    client.close()


def test_a_replay_reads_exact_values_skips_acked_points_and_a_torn_last_line(
    tmp_path: Path, store: mlops.MlopsClient
) -> None:
    run_id = store.create_run("0").info.run_id
    writer = SpoolWriter(store.tracking_uri, tmp_path)
    values = [0.1, 1 / 3, float("inf"), -0.0, 1e-300, float("nan"), 2.5]
    spool_points(writer, run_id, values)
    writer.ack(writer.run(run_id).number, 1)  # the first two are stored (by someone)
    os.write(writer.fd, b"P0\t0\t7\t9.")  # a write the kill cut short: never acknowledged
    data = writer.path.read_bytes()
    writer.close()

    spool = parse(writer.path, data)
    [(run, pending)] = list(spool.pending())

    assert run.run_id == run_id
    assert [seq for seq, _ in pending] == [2, 3, 4, 5, 6]  # acked ones and the torn line: out
    got = [m.value for _, m in pending]
    assert repr(got[0]) == "inf" and repr(got[1]) == "-0.0" and got[2] == 1e-300
    assert got[3] != got[3] and got[4] == 2.5  # NaN, then the exact value


def test_a_spool_whose_points_are_stored_is_emptied_and_stays_readable(
    tmp_path: Path, store: mlops.MlopsClient
) -> None:
    run_id = store.create_run("0").info.run_id
    writer = SpoolWriter(store.tracking_uri, tmp_path, compact_bytes=4096)
    run = writer.run(run_id)
    for batch in range(20):
        spool_points(writer, run_id, [float(batch)] * 50)
        metrics = [Metric("loss", float(batch), 1000, batch * 50 + i) for i in range(50)]
        store.transport.log_spooled_metrics(run_id, writer.writer_id, batch * 50, metrics)
        writer.ack(run.number, batch * 50 + 49)
    size_before_more = writer.path.stat().st_size
    spool_points(writer, run_id, [7.0, 8.0])  # queued after the last compaction: pending

    assert size_before_more < 4096  # 1,000 points were spooled: the file was emptied
    spool = parse(writer.path, writer.path.read_bytes())
    [(_, pending)] = list(spool.pending())
    assert [(seq, m.value) for seq, m in pending] == [(1000, 7.0), (1001, 8.0)]

    writer.close()  # not everything is stored: the file stays for a replay
    report = ReplayReport()
    assert replay_spool(writer.path, store.transport, report)
    assert report.points == 2 and not writer.path.exists()
    steps = [m.step for m in store.get_metric_history(run_id, "loss")]
    assert steps == list(range(1002))


def test_a_write_that_failed_for_a_passing_reason_is_tried_again_in_order() -> None:
    written: list[int] = []
    failures = [OSError("connection refused"), OSError("connection reset")]

    def write(run_id: str, points: Sequence[Metric], first_seq: int) -> None:
        if failures:
            raise failures.pop(0)
        assert first_seq == (written[-1] + 1 if written else 0)  # no gap, no repeat
        written.extend(p.step for p in points)

    batcher = MetricBatcher(batch_size=10, interval=0.01)
    batcher.add("r", [Metric("loss", 0.5, 1, s) for s in range(25)], write, first_seq=0)
    errors: list[MLOpsError] = []
    for _ in range(100):
        try:
            batcher.flush("r")
            break
        except MLOpsError as err:
            errors.append(err)

    assert written == list(range(25))
    assert 1 <= len(errors) <= 2  # surfaced in the user's thread, not swallowed
    assert "tried again" in errors[0].message and "connection refused" in errors[0].message


def test_a_refused_write_is_dropped_not_retried() -> None:
    calls: list[int] = []

    def write(run_id: str, points: Sequence[Metric], first_seq: int) -> None:
        calls.append(first_seq)
        raise InvalidParameter("bad key", field="metrics")

    batcher = MetricBatcher(batch_size=10, interval=60.0)
    batcher.add("r", [Metric("bad key?", 0.5, 1, 0)], write, first_seq=0)

    with pytest.raises(InvalidParameter):
        batcher.flush("r")
    batcher.flush("r")  # nothing left: the refused batch was not queued again
    assert calls == [0]


def test_a_point_the_store_refuses_is_skipped_and_its_batch_neighbours_are_stored(
    tmp_path: Path, store: mlops.MlopsClient
) -> None:
    run_id = store.create_run("0").info.run_id
    writer = SpoolWriter(store.tracking_uri, tmp_path)
    spool_points(writer, run_id, [float(v) for v in range(5)])
    spool_points(writer, run_id, [9.0], key="a/../b")  # refused by the store: '..'
    spool_points(writer, run_id, [float(v) for v in range(5, 10)])
    writer.close()

    report = ReplayReport()
    assert replay_spool(writer.path, store.transport, report)

    assert report.points == 10
    assert len(report.skipped) == 1 and "point 5" in report.skipped[0]
    stored = [m.value for m in store.get_metric_history(run_id, "loss")]
    assert stored == [float(v) for v in range(10)]
