"""A process killed with SIGKILL while it logs loses no acknowledged metric point: the
points are in its spool before ``log_metric`` returns, and the next process logging to the
same URI, or ``jupyter mlops sync``, stores them exactly once.

Real processes on SQLite, PostgreSQL and a real jupyter server (REST), killed at random
moments of a tight logging loop: each trial checks that the stored history is 0, 1, 2, ...
with no gap and no repeat, and reaches at least the last step the child reported as
logged (a step is reported only after its ``log_metric`` returned).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import jupyter_mlops as mlops

REPO = Path(__file__).resolve().parents[2]
TRIALS = 10
REPORT_EVERY = 97  # the child reports every 97th step it logged: a cheap, irregular beat

CHILD = textwrap.dedent(
    f"""
    import os
    import jupyter_mlops as mlops

    run = mlops.start_run()
    os.write(1, b"run " + run.info.run_id.encode() + b"\\n")
    step = 0
    while True:
        mlops.log_metric("loss", float(step), step=step)
        if step % {REPORT_EVERY} == 0:
            os.write(1, b"%d\\n" % step)  # after log_metric returned: acknowledged
        step += 1
    """
)

# The next process to log to the same URI replays dead spools in the background.
NEXT_PROCESS = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import jupyter_mlops as mlops

    spool = Path(sys.argv[1])
    with mlops.start_run():
        deadline = time.monotonic() + 60
        while spool.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    print("gone" if not spool.exists() else "still there", flush=True)
    """
)


@dataclass(frozen=True)
class Target:
    kind: str
    uri: str
    token: str | None

    def env(self, spool_dir: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_MLOPS_")}
        env.update(
            PYTHONPATH=str(REPO),
            JUPYTER_MLOPS_TRACKING_URI=self.uri,
            JUPYTER_MLOPS_SPOOL_DIR=str(spool_dir),
            JUPYTER_MLOPS_HEARTBEAT_INTERVAL="3600",
        )
        if self.token:
            env["JUPYTER_MLOPS_TOKEN"] = self.token
        return env


@pytest.fixture(params=["sqlite", "postgresql", "rest"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    if request.param == "sqlite":
        yield Target("sqlite", f"sqlite:///{tmp_path / 'mlops.db'}", None)
    elif request.param == "postgresql":
        yield Target("postgresql", request.getfixturevalue("mlops_postgres_uri"), None)
    else:
        server = request.getfixturevalue("mlops_server")
        yield Target("rest", server.url, server.token)


def kill_while_logging(target: Target, spool_dir: Path, beats: int) -> tuple[str, int]:
    """Start the child, let it report ``beats`` steps, SIGKILL it; its run id and the
    last step it reported as logged."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        env=target.env(spool_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    first = child.stdout.readline().decode()
    if not first.startswith("run "):
        child.kill()
        raise AssertionError("the child died before logging: " + child.communicate()[1].decode())
    run_id = first.split()[1]
    for _ in range(beats):
        child.stdout.readline()
    child.send_signal(signal.SIGKILL)
    rest, stderr = child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL, stderr.decode()[-2000:]
    reported = [int(line) for line in rest.split()]
    # Lines read before the kill were reported too; the last one is at least beats-1 beats.
    last = max(reported, default=(beats - 1) * REPORT_EVERY)
    return run_id, last


def sync_with_cli(target: Target, spool_dir: Path) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "jupyter_mlops.cli", "sync"],
        env=target.env(spool_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def sync_with_next_process(target: Target, spool: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", NEXT_PROCESS, str(spool)],
        env=target.env(spool.parent),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.stdout.strip() == "gone", completed.stderr[-3000:]


def stored_steps(target: Target, run_id: str) -> list[int]:
    client = mlops.MlopsClient(target.uri, target.token)
    try:
        return [m.step for m in client.get_metric_history(run_id, "loss")]
    finally:
        client.close()


def test_sigkill_at_random_moments_loses_no_acknowledged_point(
    target: Target, tmp_path: Path
) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    for trial in range(TRIALS):
        spool_dir = tmp_path / f"spool-{trial}"
        run_id, last_reported = kill_while_logging(target, spool_dir, rng.randint(1, 400))
        spools = list(spool_dir.glob("*.spool"))
        assert len(spools) == 1, f"seed {seed}, trial {trial}: {spools}"
        if trial % 2:
            sync_with_next_process(target, spools[0])
        else:
            out = sync_with_cli(target, spool_dir)
            assert "from 1 spool(s)" in out, out
            assert not spools[0].exists()

        steps = stored_steps(target, run_id)

        where = f"seed {seed}, trial {trial}, last reported {last_reported}"
        assert steps == list(range(len(steps))), f"{where}: a gap or a repeat"
        assert len(steps) > last_reported, f"{where}: only {len(steps)} stored"


def test_sync_again_and_a_replay_after_a_partial_one_store_nothing_twice(
    target: Target, tmp_path: Path
) -> None:
    from jupyter_mlops.client.spool_replay import ReplayReport, parse, replay_spool

    spool_dir = tmp_path / "spool"
    run_id, last_reported = kill_while_logging(target, spool_dir, 200)
    (spool,) = spool_dir.glob("*.spool")
    # A replay killed half-way: the first half of what is pending went out already.
    contents = parse(spool, spool.read_bytes())
    (run, pending), *_ = contents.pending()
    half = pending[: len(pending) // 2]
    client = mlops.MlopsClient(target.uri, target.token)
    try:
        for start in range(0, len(half), 1000):
            chunk = half[start : start + 1000]
            client.transport.log_spooled_metrics(
                run.run_id, contents.writer_id, chunk[0][0], [m for _, m in chunk]
            )
        report = ReplayReport()
        assert replay_spool(spool, client.transport, report)
        assert report.points == len(pending)
    finally:
        client.close()
    assert "stored 0 point(s) from 0 spool(s)" in sync_with_cli(target, spool_dir)

    steps = stored_steps(target, run_id)

    assert steps == list(range(len(steps)))
    assert len(steps) > last_reported


def test_a_live_process_spool_is_left_alone(target: Target, tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        env=target.env(spool_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().startswith(b"run ")
        deadline = time.monotonic() + 30
        while not list(spool_dir.glob("*.spool")) and time.monotonic() < deadline:
            time.sleep(0.05)

        out = sync_with_cli(target, spool_dir)

        assert "from 0 spool(s)" in out
        assert child.poll() is None
        assert len(list(spool_dir.glob("*.spool"))) == 1
    finally:
        child.kill()
        child.communicate(timeout=60)
