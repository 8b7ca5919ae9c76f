"""A process stopped with SIGTERM (as Kubernetes, SLURM and jupyter stop one) or a kernel
shut down from JupyterLab loses no queued metric point and leaves no run RUNNING."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from client_support import Tracking, execute_in_server_kernel

import jupyter_mlops as mlops
from jupyter_mlops.client.termination import SIGTERM_REASON
from jupyter_mlops.tracking.entities import RunStatus
from jupyter_mlops.tracking.service import END_REASON_TAG

REPO = Path(__file__).resolve().parents[2]
POINTS = 20_000

# argv: mode ("plain" | "user-handler" | "ignore"), file the user's handler writes.
CHILD = textwrap.dedent(
    f"""
    import faulthandler, signal, sys, time
    from pathlib import Path
    import jupyter_mlops as mlops

    # A hang shows where it is instead of only timing out.
    faulthandler.dump_traceback_later(50, exit=True)

    mode, note = sys.argv[1], Path(sys.argv[2])
    if mode == "user-handler":
        def users_handler(signum, frame):
            # Runs after ours: the run is already over when it looks.
            note.write_text(mlops.get_run(run.info.run_id).info.status.value)
            sys.exit(3)
        signal.signal(signal.SIGTERM, users_handler)
    elif mode == "ignore":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)

    run = mlops.start_run()
    for step in range({POINTS}):  # queued, never flushed by hand
        mlops.log_metric("loss", float(step), step=step)
    print(run.info.run_id, flush=True)
    time.sleep(120)
    """
)


def start_child(mode: str, note: Path) -> tuple[subprocess.Popen[str], str]:
    """Start the child, wait until it has logged its points, return it and its run id."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, str(note)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    run_id = child.stdout.readline().strip()
    if not run_id:
        child.kill()
        raise AssertionError("the child died before logging: " + child.communicate()[1])
    return child, run_id


def stop(child: subprocess.Popen[str]) -> tuple[int, str]:
    """Send SIGTERM and wait for the child's end; its exit status and stderr."""
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=60)
    return child.returncode, stderr


def assert_every_point_stored(tracking: Tracking, run_id: str) -> None:
    history = tracking.client.get_metric_history(run_id, "loss")
    assert [p.step for p in history] == list(range(POINTS))


def test_sigterm_ends_the_run_killed_with_every_point_and_the_process_dies_of_it(
    mlops_tracking: Tracking, tmp_path: Path
) -> None:
    child, run_id = start_child("plain", tmp_path / "note")

    returncode, stderr = stop(child)

    assert returncode == -signal.SIGTERM, stderr
    run = mlops_tracking.client.get_run(run_id)
    assert run.info.status == RunStatus.KILLED
    assert run.tags[END_REASON_TAG] == SIGTERM_REASON
    assert_every_point_stored(mlops_tracking, run_id)


def test_a_handler_installed_before_runs_after_ours_and_decides_the_exit(
    mlops_tracking: Tracking, tmp_path: Path
) -> None:
    note = tmp_path / "note"
    child, run_id = start_child("user-handler", note)

    returncode, stderr = stop(child)

    assert returncode == 3, stderr
    assert note.read_text() == RunStatus.KILLED.value
    assert mlops_tracking.client.get_run(run_id).info.status == RunStatus.KILLED
    assert_every_point_stored(mlops_tracking, run_id)


def test_an_ignored_sigterm_leaves_the_process_and_its_run_alone(
    mlops_tracking: Tracking, tmp_path: Path
) -> None:
    child, run_id = start_child("ignore", tmp_path / "note")
    try:
        child.send_signal(signal.SIGTERM)
        time.sleep(1.0)

        assert child.poll() is None
        run = mlops_tracking.client.get_run(run_id)
        assert run.info.status == RunStatus.RUNNING
        assert END_REASON_TAG not in run.tags
    finally:
        child.kill()
        child.communicate(timeout=60)


KERNEL_CELL = f"""
import jupyter_mlops as mlops

run = mlops.start_run()  # left open: the kernel's shutdown must end it
for step in range({POINTS}):
    mlops.log_metric("loss", float(step), step=step)
print(run.info.run_id)
"""


def test_shutting_a_kernel_down_ends_its_run_with_every_point(mlops_server: Any) -> None:
    # execute_in_server_kernel shuts the kernel down through the REST API, as JupyterLab.
    run_id = execute_in_server_kernel(mlops_server.url, mlops_server.token, KERNEL_CELL).strip()

    client = mlops.MlopsClient(mlops_server.url, mlops_server.token)
    try:
        deadline = time.monotonic() + 60
        status = client.get_run(run_id).info.status
        while status == RunStatus.RUNNING and time.monotonic() < deadline:
            time.sleep(0.2)
            status = client.get_run(run_id).info.status
        # FINISHED after a clean shutdown; KILLED if the kernel was slow enough to be sent
        # SIGTERM by jupyter_client.
        assert status in {RunStatus.FINISHED, RunStatus.KILLED}
        history = client.get_metric_history(run_id, "loss")
        assert [p.step for p in history] == list(range(POINTS))
    finally:
        client.close()
