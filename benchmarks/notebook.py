"""Notebook benchmark: what ``log_metric`` costs the calling thread inside a training loop.

    python benchmarks/notebook.py            # a minute or so on 2 cores
    python benchmarks/notebook.py --quick    # smaller loops, for a smoke run

Both libraries run in this one process, each on fresh SQLite files in a temporary folder:
``jupyter_mlops.log_metric`` (batched: points queue and a background thread writes them),
the same with a ``LiveMetrics`` chart listening, ``mlflow.log_metric`` (its default,
synchronous) and ``mlflow.log_metric(synchronous=False)`` (MLflow's own async logging).

Ours runs with its spool (every point appended to a file before the call returns, so a
SIGKILL loses nothing acknowledged: client/spool.py) and, for comparison, with the spool
off (``JUPYTER_MLOPS_SPOOL=0``, points only in memory until written).

Two figures per library, medians over several loops:
- *wall*: elapsed time of the loop divided by the calls (the final flush at the end of the
  run is not in it); it includes the time the background writer takes the GIL away;
- *thread CPU*: CPU time of the calling thread only (``time.thread_time``), which is what
  the call itself costs the training loop.

Then the end-to-end rate: points a second from the first ``log_metric`` until the last one
is stored (``flush``), the throughput a long training run sees.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

warnings.filterwarnings("ignore")
logging.getLogger("mlflow").setLevel(logging.ERROR)
logging.getLogger("alembic").setLevel(logging.ERROR)
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")

TARGET_US = 5.0
TARGET_POINTS_PER_S = 100_000


@dataclass
class Result:
    name: str
    calls: int
    wall_us: float
    cpu_us: float


def _loop(log: Callable[[str, float, int], None], n: int) -> tuple[float, float]:
    """One loop of ``n`` calls: (wall, calling-thread CPU) seconds."""
    wall, cpu = time.perf_counter(), time.thread_time()
    for i in range(n):
        log("loss", 1.0 / (i + 1), i)
    return time.perf_counter() - wall, time.thread_time() - cpu


def _measure(name: str, run: Callable[[int], tuple[float, float]], n: int, repeat: int) -> Result:
    run(min(n, 100))  # warm-up: imports, connections, the writer thread
    samples = [run(n) for _ in range(repeat)]
    return Result(
        name,
        n,
        statistics.median(w for w, _ in samples) / n * 1e6,
        statistics.median(c for _, c in samples) / n * 1e6,
    )


def _use_store(workdir: Path, spool: bool) -> None:
    import jupyter_mlops as mlops

    os.environ["JUPYTER_MLOPS_ARTIFACT_ROOT"] = str(workdir / "ours-artifacts")
    os.environ["JUPYTER_MLOPS_SPOOL_DIR"] = str(workdir / "spool")
    # Read when a URI's spool is first opened: each setting gets its own store.
    os.environ["JUPYTER_MLOPS_SPOOL"] = "1" if spool else "0"
    mlops.set_tracking_uri(f"sqlite:///{workdir / ('ours.db' if spool else 'ours-nospool.db')}")


def ours(workdir: Path, n: int, repeat: int, live: bool, spool: bool = True) -> Result:
    import jupyter_mlops as mlops

    _use_store(workdir, spool)

    def log(key: str, value: float, step: int) -> None:
        mlops.log_metric(key, value, step=step)

    def run(calls: int) -> tuple[float, float]:
        with mlops.start_run():
            chart = None
            if live:
                from jupyter_mlops.widgets import LiveMetrics

                chart = LiveMetrics(keys=["loss"])
            result = _loop(log, calls)
        if chart is not None:
            chart.close()
        return result

    name = "jupyter_mlops.log_metric" + (" + LiveMetrics chart" if live else "")
    name += "" if spool else " (spool off)"
    return _measure(name, run, n, repeat)


def end_to_end_rate(workdir: Path, n: int, spool: bool) -> float:
    """Points a second from the first call until every point is stored."""
    import jupyter_mlops as mlops

    _use_store(workdir, spool)
    with mlops.start_run():
        start = time.perf_counter()
        for step in range(n):
            mlops.log_metric("loss", 1.0 / (step + 1), step=step)
        mlops.flush()
        return n / (time.perf_counter() - start)


def mlflow_loop(workdir: Path, n: int, repeat: int, synchronous: bool) -> Result:
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{workdir / 'mlflow.db'}")

    def log(key: str, value: float, step: int) -> None:
        mlflow.log_metric(key, value, step=step, synchronous=synchronous)

    def run(calls: int) -> tuple[float, float]:
        with mlflow.start_run():
            result = _loop(log, calls)
        if not synchronous:
            mlflow.flush_async_logging()
        return result

    name = "mlflow.log_metric" + ("" if synchronous else "(synchronous=False)")
    return _measure(name, run, n, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller loops")
    args = parser.parse_args()
    n_ours, n_async, n_sync, repeat = (2_000, 500, 50, 3) if args.quick else (20_000, 5_000, 300, 5)
    with tempfile.TemporaryDirectory(prefix="mlops-bench-") as tmp:
        workdir = Path(tmp)
        results = [
            ours(workdir, n_ours, repeat, live=False),
            ours(workdir, n_ours, repeat, live=False, spool=False),
            ours(workdir, n_ours, repeat, live=True),
            mlflow_loop(workdir, n_async, repeat, synchronous=False),
            mlflow_loop(workdir, n_sync, repeat, synchronous=True),
        ]
    print(
        f"Python {platform.python_version()} on {platform.platform()}, "
        f"{os.cpu_count()} CPUs; jupyter_mlops {version('jupyter_mlops')}, "
        f"mlflow {version('mlflow')}\n"
    )
    base = results[0]
    print("| call | calls per loop | wall µs/call | calling-thread CPU µs/call | vs ours (CPU) |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        ratio = r.cpu_us / base.cpu_us
        print(f"| `{r.name}` | {r.calls:,} | {r.wall_us:.2f} | {r.cpu_us:.2f} | {ratio:.1f}x |")
    verdict = "meets" if base.cpu_us < TARGET_US else "MISSES"
    print(f"\nTarget: under {TARGET_US} µs a call on the calling thread: {verdict}.")
    points = 20_000 if args.quick else 200_000
    with tempfile.TemporaryDirectory(prefix="mlops-bench-") as tmp:
        rates = {spool: end_to_end_rate(Path(tmp), points, spool) for spool in (True, False)}
    print(
        f"\nEnd to end ({points:,} points logged, then flushed): "
        f"{rates[True]:,.0f} points/s with the spool, {rates[False]:,.0f} without; "
        f"target over {TARGET_POINTS_PER_S:,}: "
        f"{'meets' if rates[True] > TARGET_POINTS_PER_S else 'MISSES'}."
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
