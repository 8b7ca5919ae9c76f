"""A script's run keeps what the script printed (``logs/console.txt``), while it runs and
when it fails, as the run page's Logs tab shows it; the console still shows it too."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from client_support import Tracking

import jupyter_mlops as mlops
from jupyter_mlops.client.console_capture import (
    CONSOLE_ARTIFACT,
    ConsoleCapture,
    ConsoleTail,
    _Tee,
)
from jupyter_mlops.errors import NotFound
from jupyter_mlops.tracking.entities import RunStatus

REPO = Path(__file__).resolve().parents[2]

# A training script as users write them: logging set up before the run, prints on both
# streams, a crash outside any with-block (the exit hook ends the run FAILED).
FAILING_SCRIPT = textwrap.dedent(
    """
    import logging, sys
    import jupyter_mlops as mlops

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    print("before the run: not captured")
    run = mlops.start_run()
    print("RUN", run.info.run_id, flush=True)
    print("epoch 1 loss=0.5")
    print("warning: lr is high", file=sys.stderr)
    logging.getLogger("train").info("checkpoint saved")
    raise RuntimeError("loss is nan")
    """
)

# Prints, then waits (for a file) until the test has seen the first line stored while the
# run is still running, then prints more and ends the run.
LIVE_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import jupyter_mlops as mlops

    go = Path(sys.argv[1])
    with mlops.start_run() as run:
        print("RUN", run.info.run_id, flush=True)
        print("step 1 of 2")
        deadline = time.monotonic() + 60
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        print("step 2 of 2")
    """
)


# Prints as fast as it can until stopped (SIGTERM lands in the middle of a write).
CHATTY_SCRIPT = textwrap.dedent(
    """
    import itertools
    import jupyter_mlops as mlops

    run = mlops.start_run()
    print("RUN", run.info.run_id, flush=True)
    for i in itertools.count():
        print("batch", i, "loss", 1 / (i + 1))
    """
)


def run_script(code: str, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stored_console(tracking: Tracking, run_id: str, tmp_path: Path) -> str | None:
    try:
        local = tracking.client.download_artifacts(run_id, CONSOLE_ARTIFACT, tmp_path)
    except NotFound:
        return None
    return Path(local).read_text()


def run_id_of(stdout: str) -> str:
    line = next(line for line in stdout.splitlines() if line.startswith("RUN "))
    return line.split()[1]


def test_a_failed_script_keeps_its_output_logs_and_traceback(
    mlops_tracking: Tracking, tmp_path: Path
) -> None:
    # Given a script that prints, logs and crashes inside its run
    child = run_script(FAILING_SCRIPT)
    stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == 1, stderr

    # Then the console showed everything as always
    assert "epoch 1 loss=0.5" in stdout
    assert "warning: lr is high" in stderr and "INFO checkpoint saved" in stderr
    # And the run failed and kept the same output, in order, with the traceback
    run_id = run_id_of(stdout)
    assert mlops_tracking.client.get_run(run_id).info.status == RunStatus.FAILED
    text = stored_console(mlops_tracking, run_id, tmp_path)
    assert text is not None
    assert "before the run" not in text
    lines = ["epoch 1 loss=0.5", "warning: lr is high", "INFO checkpoint saved"]
    positions = [text.index(line) for line in lines]
    assert positions == sorted(positions)
    assert "Traceback (most recent call last)" in text
    assert text.rstrip().endswith("RuntimeError: loss is nan")


def test_a_running_scripts_output_is_stored_while_it_runs(
    mlops_tracking: Tracking, tmp_path: Path
) -> None:
    go = tmp_path / "go"
    child = run_script(LIVE_SCRIPT, str(go), JUPYTER_MLOPS_CAPTURE_OUTPUT_INTERVAL="0.5")
    try:
        assert child.stdout is not None
        run_id = run_id_of(child.stdout.readline())
        # The first line arrives while the run is still running (the script waits for us)
        deadline = time.monotonic() + 60
        text = None
        while time.monotonic() < deadline:
            text = stored_console(mlops_tracking, run_id, tmp_path / "live")
            if text is not None and "step 1 of 2" in text:
                break
            time.sleep(0.2)
        assert text is not None and "step 1 of 2" in text and "step 2" not in text
        assert mlops_tracking.client.get_run(run_id).info.status == RunStatus.RUNNING
    finally:
        go.touch()
        _, stderr = child.communicate(timeout=120)
    assert child.returncode == 0, stderr
    # And the end of the run stores the rest
    final = stored_console(mlops_tracking, run_id, tmp_path / "final")
    assert final is not None and "step 1 of 2\nstep 2 of 2\n" in final
    assert mlops_tracking.client.get_run(run_id).info.status == RunStatus.FINISHED


def test_a_chatty_script_stopped_by_sigterm_keeps_its_output(
    mlops_tracking: Tracking, tmp_path: Path
) -> None:
    child = run_script(CHATTY_SCRIPT)
    assert child.stdout is not None
    run_id = run_id_of(child.stdout.readline())
    for _ in range(2000):  # well into the loop
        child.stdout.readline()
    child.send_signal(signal.SIGTERM)
    child.communicate(timeout=60)
    assert child.returncode == -signal.SIGTERM

    assert mlops_tracking.client.get_run(run_id).info.status == RunStatus.KILLED
    text = stored_console(mlops_tracking, run_id, tmp_path)
    assert text is not None and "batch 1999 loss" in text


def test_capture_can_be_turned_off(mlops_tracking: Tracking, tmp_path: Path) -> None:
    child = run_script(LIVE_SCRIPT, str(tmp_path), JUPYTER_MLOPS_CAPTURE_OUTPUT="false")
    stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == 0, stderr
    assert "step 2 of 2" in stdout
    assert stored_console(mlops_tracking, run_id_of(stdout), tmp_path) is None

    with mlops.start_run(capture_output=False) as run:
        print("not kept")
    assert stored_console(mlops_tracking, run.run_id, tmp_path) is None


def test_a_resumed_run_goes_on_after_its_stored_log(
    mlops_tracking: Tracking, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with mlops.start_run(capture_output=True) as run:
        print("first session")
    # Resuming does not capture unless asked (a pipeline step resumes its run, and keeps
    # its own step log)
    with mlops.start_run(run_id=run.run_id):
        print("resumed, not captured")
    with mlops.start_run(run_id=run.run_id, capture_output=True):
        print("second session")

    assert stored_console(mlops_tracking, run.run_id, tmp_path) == (
        "first session\nsecond session\n"
    )
    # The tee is gone once the run ended, and the test's own capture saw everything
    assert not isinstance(sys.stdout, _Tee)
    assert capsys.readouterr().out == "first session\nresumed, not captured\nsecond session\n"


def test_the_tail_keeps_the_last_bytes_from_a_line_start() -> None:
    tail = ConsoleTail(max_bytes=100)
    for i in range(50):
        tail.append(f"line {i:02d} é\n")  # 11 bytes each (é is two)
    text, version = tail.snapshot()
    header, kept = text.split("\n", 1)
    assert header.startswith("[jupyter-mlops: ") and "bytes of output are not kept" in header
    assert kept.endswith("line 49 é\n")
    assert kept.startswith("line ")  # cut at a line start, never mid-character
    assert len(kept.encode()) <= 100 + 100 // 8
    assert version == 50


def test_captures_that_end_out_of_order_leave_the_streams_clean() -> None:
    uploads: dict[str, list[str]] = {"outer": [], "inner": []}
    original_out, original_err = sys.stdout, sys.stderr
    sys.stdout = io.StringIO()  # the console, for this test
    console = sys.stdout
    try:
        outer = ConsoleCapture(uploads["outer"].append, interval=3600)
        outer.start()
        print("a")
        inner = ConsoleCapture(uploads["inner"].append, interval=3600)
        inner.start()
        print("b")
        outer.stop()  # not on top: it only stops recording
        print("c")
        inner.stop()
        assert sys.stdout is console  # both tees gone
        print("d")
    finally:
        sys.stdout, sys.stderr = original_out, original_err
    assert console.getvalue() == "a\nb\nc\nd\n"
    assert uploads == {"outer": ["a\nb\n"], "inner": ["b\nc\n"]}
