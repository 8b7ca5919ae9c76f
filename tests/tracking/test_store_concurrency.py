"""Several processes on one SQLite file: migration and writes serialise, nothing is lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore

WORKERS = 8
BATCHES = 40
POINTS_PER_BATCH = 5

# Each worker imports everything, reports ready, waits for "go", then opens the store
# (racing the others to migrate the fresh file) and logs metrics to its own run.
WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from jupyter_mlops.tracking.entities import Metric
    from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore

    uri, sync, index, batches, per_batch = sys.argv[1:6]
    sync, index, batches, per_batch = Path(sync), int(index), int(batches), int(per_batch)
    (sync / f"ready-{index}").touch()
    while not (sync / "go").exists():
        time.sleep(0.005)
    store = SqlTrackingStore(uri)
    run_id = store.create_run("0", f"worker-{index}", run_name=f"worker-{index}").info.run_id
    for b in range(batches):
        points = [
            Metric("loss", float(b * per_batch + i), 1000 + b, b * per_batch + i)
            for i in range(per_batch)
        ]
        store.log_batch(run_id, points, params={"batch": "0"}, tags={"last": str(b)})
    store.close()
    print(run_id)
    """
)


@pytest.mark.slow
def test_processes_logging_to_one_fresh_sqlite_file(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'db' / 'mlops.db'}"
    sync = tmp_path / "sync"
    sync.mkdir()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                uri,
                str(sync),
                str(i),
                str(BATCHES),
                str(POINTS_PER_BATCH),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(WORKERS)
    ]
    try:
        deadline = time.monotonic() + 120
        while len(list(sync.glob("ready-*"))) < WORKERS:
            assert all(p.poll() is None for p in procs), "a worker died before starting"
            assert time.monotonic() < deadline, "workers did not start"
            time.sleep(0.01)
        (sync / "go").touch()
        outputs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()

    errors = [err for _, err in outputs if err.strip()]
    assert not errors, "\n".join(errors)  # in particular no "database is locked"
    assert [p.returncode for p in procs] == [0] * WORKERS
    run_ids = [out.strip() for out, _ in outputs]

    store = SqlTrackingStore(uri)
    try:
        total = BATCHES * POINTS_PER_BATCH
        for run_id in run_ids:
            history = store.get_metric_history(run_id, "loss")
            assert [m.value for m in history] == [float(i) for i in range(total)]
            summary = store.get_run(run_id).metrics["loss"]
            assert (summary.value, summary.step, summary.min, summary.max) == (
                total - 1,
                total - 1,
                0.0,
                total - 1,
            )
        assert store.count_runs(["0"]) == WORKERS
    finally:
        store.close()
