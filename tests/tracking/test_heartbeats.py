"""Dead runs: runs whose heartbeats stopped are marked KILLED, and a late heartbeat brings
them back; runs that never sent one (MLflow clients) are never marked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlops.errors import PermissionDenied
from jupyter_mlops.tracking.artifacts import LocalArtifactRepository
from jupyter_mlops.tracking.entities import RunStatus
from jupyter_mlops.tracking.service import END_REASON_TAG, HEARTBEAT_LOST, TrackingService
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore


@pytest.fixture
def mlops_service(mlops_store: SqlTrackingStore, tmp_path: Path) -> Iterator[TrackingService]:
    yield TrackingService(mlops_store, LocalArtifactRepository(tmp_path / "artifacts"), ("root",))


def _silent_for_a_moment() -> None:
    time.sleep(0.01)  # last_seen must be older than "now" for a timeout of 0


def test_a_run_whose_heartbeats_stopped_is_killed_with_the_reason(
    mlops_service: TrackingService,
) -> None:
    run_id = mlops_service.create_run("alice").info.run_id
    mlops_service.heartbeat("alice", run_id)
    _silent_for_a_moment()

    assert mlops_service.mark_dead_runs(0) == 1

    run = mlops_service.get_run("alice", run_id)
    assert run.info.status is RunStatus.KILLED
    assert run.info.end_time is not None
    assert run.info.end_time >= run.info.start_time
    assert run.tags[END_REASON_TAG] == HEARTBEAT_LOST
    assert mlops_service.mark_dead_runs(0) == 0  # marked once


def test_a_late_heartbeat_brings_the_run_back(mlops_service: TrackingService) -> None:
    run_id = mlops_service.create_run("alice").info.run_id
    mlops_service.heartbeat("alice", run_id)
    _silent_for_a_moment()
    mlops_service.mark_dead_runs(0)

    mlops_service.heartbeat("alice", run_id)

    run = mlops_service.get_run("alice", run_id)
    assert run.info.status is RunStatus.RUNNING
    assert run.info.end_time is None
    assert END_REASON_TAG not in run.tags


def test_a_heartbeat_does_not_revive_a_run_ended_for_another_reason(
    mlops_service: TrackingService,
) -> None:
    run_id = mlops_service.create_run("alice").info.run_id
    mlops_service.update_run("alice", run_id, status=RunStatus.KILLED)

    mlops_service.heartbeat("alice", run_id)

    assert mlops_service.get_run("alice", run_id).info.status is RunStatus.KILLED


def test_runs_that_never_sent_a_heartbeat_are_never_marked(
    mlops_service: TrackingService,
) -> None:
    silent = mlops_service.create_run("alice").info.run_id
    alive = mlops_service.create_run("alice").info.run_id
    mlops_service.heartbeat("alice", alive)

    assert mlops_service.mark_dead_runs(3600) == 0
    _silent_for_a_moment()
    assert mlops_service.mark_dead_runs(0) == 1

    assert mlops_service.get_run("alice", silent).info.status is RunStatus.RUNNING


def test_only_the_runs_user_or_an_admin_may_heartbeat(mlops_service: TrackingService) -> None:
    run_id = mlops_service.create_run("alice").info.run_id

    with pytest.raises(PermissionDenied):
        mlops_service.heartbeat("bob", run_id)
    mlops_service.heartbeat("root", run_id)


CHILD = textwrap.dedent(
    """
    import sys, time
    import jupyter_mlops as mlops

    mlops.set_tracking_uri(sys.argv[1])
    run = mlops.start_run()
    print(run.run_id, flush=True)
    time.sleep(600)
    """
)


def test_a_killed_process_is_found_dead_by_the_next_sweep(tmp_path: Path) -> None:
    """Given a real process logging to a SQLite store, sending heartbeats every 0.2 s,
    when it dies by SIGKILL, a sweep with a 1 s timeout 1.5 s later marks its run KILLED."""
    uri = f"sqlite:///{tmp_path / 'mlops.db'}"
    env = {**os.environ, "JUPYTER_MLOPS_HEARTBEAT_INTERVAL": "0.2"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, uri], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        run_id = child.stdout.readline().strip()
        assert len(run_id) == 32
        time.sleep(0.6)  # a few heartbeats from the thread
        store = SqlTrackingStore(uri)
        service = TrackingService(store, LocalArtifactRepository(tmp_path / "artifacts"))
        try:
            assert service.mark_dead_runs(1) == 0  # alive
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=10)
            time.sleep(1.5)

            assert service.mark_dead_runs(1) == 1
            run = service.get_run("anyone", run_id)
            assert run.info.status is RunStatus.KILLED
            assert run.tags[END_REASON_TAG] == HEARTBEAT_LOST
        finally:
            store.close()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()
