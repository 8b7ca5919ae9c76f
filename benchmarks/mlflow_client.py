"""MLflow-client benchmark: the same MLflow code against three MLflow-compatible servers.

    python benchmarks/mlflow_client.py                 # a few minutes on 2 cores
    python benchmarks/mlflow_client.py --quick         # smaller sizes, for a smoke run
    python benchmarks/mlflow_client.py --markdown out.md

Every workload is run by MLflow's own ``MlflowClient`` (one process, the same calls) against

* **ours**: a real ``jupyter server`` with jupyter_mlops, at ``/mlops/mlflow`` (SQLite);
* **mlflow**: ``mlflow server`` with a SQLite backend store (its defaults otherwise);
* **fasttrackml**: FastTrackML's ``fml server`` (Go, SQLite), when the binary is installed
  (``pip install --no-deps fasttrackml``; its wheel pins mlflow<3, so only the binary is
  used).

Each server gets fresh files in a temporary folder. The servers run side by side and the
workloads go round them in turns (``--rounds``, the best round counts), so that the load of
a shared machine weighs on all three alike. MLflow's server is compared by rate on a fifth
of the calls (it manages a few calls a second). Rates are higher-is-better, times
lower-is-better; each ratio says how many times better ours is (>1 is faster). Targets:
at least 2x MLflow's server and at least 1x FastTrackML on every workload.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import platform
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from server_process import free_port, mlops_jupyter_server, serving

warnings.filterwarnings("ignore")
logging.getLogger("mlflow").setLevel(logging.ERROR)
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
os.environ["MLFLOW_ENABLE_ASYNC_LOGGING"] = "false"
os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] = "120"

SYSTEMS = ("ours", "mlflow", "fasttrackml")


# -- servers -----------------------------------------------------------------------------
@dataclass
class Server:
    name: str
    tracking_uri: str
    token: str | None = None


@contextlib.contextmanager
def ours(workdir: Path) -> Iterator[Server]:
    with mlops_jupyter_server(workdir / "ours", ready_path="mlops/mlflow/health") as (url, token):
        yield Server("ours", f"{url}mlops/mlflow", token)


@contextlib.contextmanager
def mlflow_server(workdir: Path) -> Iterator[Server]:
    port = free_port()
    root = workdir / "mlflow"
    root.mkdir()
    mlflow_bin = Path(sys.executable).with_name("mlflow")
    cmd = [
        str(mlflow_bin), "server", "--host", "127.0.0.1", "--port", str(port),
        "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}",
        "--artifacts-destination", str(root / "artifacts"),
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with serving(cmd, root / "server.log", f"{url}/health", {}):
        yield Server("mlflow", url)


def fml_binary() -> Path | None:
    candidate = Path(sys.executable).with_name("fml")
    if candidate.exists():
        return candidate
    found = shutil.which("fml")
    return Path(found) if found else None


@contextlib.contextmanager
def fasttrackml(workdir: Path) -> Iterator[Server]:
    binary = fml_binary()
    if binary is None:
        raise FileNotFoundError("fml")
    port = free_port()
    root = workdir / "fasttrackml"
    root.mkdir()
    cmd = [
        str(binary), "server", "--listen-address", f"127.0.0.1:{port}",
        "--database-uri", f"sqlite://{root / 'fml.db'}",
        "--default-artifact-root", str(root / "artifacts"), "--log-level", "warn",
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with serving(cmd, root / "server.log", f"{url}/health", {}):
        yield Server("fasttrackml", url)


# -- workloads -----------------------------------------------------------------------------
@dataclass
class Sizes:
    log_metric_calls: int = 300
    log_param_calls: int = 150
    batch_points: int = 20_000
    runs: int = 100
    get_run_calls: int = 300


QUICK = Sizes(100, 50, 5_000, 20, 50)
FILTER = "metrics.m0 > 0.5 AND params.p0 = 'v3'"


@dataclass
class Row:
    workload: str
    unit: str  # "ops/s" (higher is better) or "s" (lower is better)
    values: dict[str, float] = field(default_factory=dict)

    def ratio(self, other: str) -> float | None:
        mine, theirs = self.values.get("ours"), self.values.get(other)
        if not mine or not theirs:
            return None
        return mine / theirs if self.unit == "ops/s" else theirs / mine


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_time(fn: Callable[[], object], repeat: int = 5) -> float:
    fn()
    return statistics.median(timed(fn) for _ in range(repeat))


class Workloads:
    """The workloads of one server, through one ``MlflowClient``."""

    def __init__(self, server: Server) -> None:
        from mlflow import MlflowClient

        self.server = server
        self.activate()
        self.client = MlflowClient(tracking_uri=server.tracking_uri)
        self.experiment_id = self.client.create_experiment(f"bench-{secrets.token_hex(4)}")
        self.search_experiment_id: str | None = None

    def activate(self) -> None:
        """Give MLflow's client this server's token (it reads the variable per request)."""
        if self.server.token:
            os.environ["MLFLOW_TRACKING_TOKEN"] = self.server.token
        else:
            os.environ.pop("MLFLOW_TRACKING_TOKEN", None)

    def _run(self) -> str:
        return str(self.client.create_run(self.experiment_id).info.run_id)

    def log_metric_calls(self, n: int) -> float:
        run_id = self._run()
        start = time.perf_counter()
        for i in range(n):
            self.client.log_metric(run_id, "loss", 1.0 / (i + 1), step=i)
        return n / (time.perf_counter() - start)

    def log_param_and_tag_calls(self, n: int) -> float:
        run_id = self._run()
        start = time.perf_counter()
        for i in range(n):
            self.client.log_param(run_id, f"p{i}", str(i))
            self.client.set_tag(run_id, f"t{i}", str(i))
        return 2 * n / (time.perf_counter() - start)

    def log_batch_points(self, total: int) -> tuple[float, str]:
        from mlflow.entities import Metric

        run_id = self._run()
        now = int(time.time() * 1000)
        batches = [
            [Metric("loss", random.random(), now + i, i) for i in range(s, min(s + 1000, total))]
            for s in range(0, total, 1000)
        ]
        seconds = timed(lambda: [self.client.log_batch(run_id, metrics=b) for b in batches])
        return total / seconds, run_id

    def create_runs(self, n: int, experiment_id: str | None = None) -> float:
        from mlflow.entities import Metric, Param

        def work() -> None:
            for r in range(n):
                run_id = self.client.create_run(experiment_id or self.experiment_id).info.run_id
                now = int(time.time() * 1000)
                params = [Param(f"p{i}", f"v{(r + i) % 7}") for i in range(20)]
                metrics = [Metric(f"m{i}", random.random(), now, 0) for i in range(5)]
                self.client.log_batch(run_id, metrics=metrics, params=params)
                self.client.set_terminated(run_id)

        return n / timed(work)

    def search(self, filter_string: str) -> float:
        experiments = [self.search_experiment_id or self.experiment_id]
        return median_time(
            lambda: self.client.search_runs(experiments, filter_string, max_results=1000)
        )

    def get_run_calls(self, run_id: str, n: int) -> float:
        return n / timed(lambda: [self.client.get_run(run_id) for _ in range(n)])

    def history(self, run_id: str) -> float:
        return median_time(lambda: self.client.get_metric_history(run_id, "loss"), repeat=3)


#: How much fewer calls MLflow's server gets in the call-count workloads (it is compared by
#: rate, and at a few calls a second the full count would take minutes a round).
MLFLOW_CALL_SHARE = 5


def measure_round(w: Workloads, sizes: Sizes, share: int) -> dict[str, float]:
    """One round of every workload on one server (rates in ops/s, times in s)."""
    w.activate()
    results: dict[str, float] = {}
    results["log_metric"] = w.log_metric_calls(max(sizes.log_metric_calls // share, 10))
    results["log_param"] = w.log_param_and_tag_calls(max(sizes.log_param_calls // share, 10))
    results["log_batch"], history_run = w.log_batch_points(sizes.batch_points)
    results["runs"] = w.create_runs(max(sizes.runs // share, 5))
    if w.search_experiment_id is None:  # the searches cover the same runs on every server
        w.search_experiment_id = w.client.create_experiment(f"search-{secrets.token_hex(4)}")
        w.create_runs(sizes.runs, w.search_experiment_id)
    results["search_filtered"] = w.search(FILTER)
    results["search_all"] = w.search("")
    results["get_run"] = w.get_run_calls(history_run, max(sizes.get_run_calls // share, 10))
    results["history"] = w.history(history_run)
    return results


def measure(
    servers: dict[str, Server], sizes: Sizes, rounds: int, progress: Callable[[str], None]
) -> dict[str, dict[str, float]]:
    """Every workload on every server, in rounds that alternate the servers, so that the
    load of a shared machine falls on all of them alike; each server's best round counts."""
    workloads = {name: Workloads(server) for name, server in servers.items()}
    best: dict[str, dict[str, float]] = {name: {} for name in servers}
    units = {key: unit for key, unit, _ in workload_rows(sizes)}
    for index in range(rounds):
        for name, w in workloads.items():
            progress(f"round {index + 1}/{rounds}: {name}")
            share = MLFLOW_CALL_SHARE if name == "mlflow" else 1
            for key, value in measure_round(w, sizes, share).items():
                kept = best[name].get(key)
                better = max if units[key] == "ops/s" else min
                best[name][key] = value if kept is None else better(kept, value)
    return best


def workload_rows(sizes: Sizes) -> list[tuple[str, str, str]]:
    return [
        ("log_metric", "ops/s", f"{sizes.log_metric_calls:,} log_metric calls"),
        ("log_param", "ops/s", f"{sizes.log_param_calls:,} log_param + set_tag calls"),
        ("log_batch", "ops/s", f"{sizes.batch_points:,} points via log_batch (1,000 a call)"),
        ("runs", "ops/s", f"{sizes.runs} runs: create, 20 params + 5 metrics, terminate"),
        ("search_filtered", "s", f"search_runs with a filter over {sizes.runs} runs"),
        ("search_all", "s", f"search_runs listing {sizes.runs} runs"),
        ("get_run", "ops/s", f"{sizes.get_run_calls:,} get_run calls"),
        ("history", "s", f"get_metric_history of {sizes.batch_points:,} points"),
    ]


def run_benchmarks(
    sizes: Sizes, systems: tuple[str, ...], rounds: int, progress: Callable[[str], None]
) -> list[Row]:
    starters = {"ours": ours, "mlflow": mlflow_server, "fasttrackml": fasttrackml}
    with (
        tempfile.TemporaryDirectory(prefix="mlops-mlflow-bench-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        servers: dict[str, Server] = {}
        for name in systems:
            if name == "fasttrackml" and fml_binary() is None:
                progress(
                    "fasttrackml: `fml` not found (pip install --no-deps fasttrackml); skipped"
                )
                continue
            progress(f"{name}: starting")
            servers[name] = stack.enter_context(starters[name](Path(tmp)))
        measured = measure(servers, sizes, rounds, progress)
    rows = []
    for key, unit, label in workload_rows(sizes):
        row = Row(label, unit)
        for name, values in measured.items():
            row.values[name] = values[key]
        rows.append(row)
    return rows


# -- reporting -----------------------------------------------------------------------------
def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:,.1f} ms" if unit == "s" else f"{value:,.0f}/s"


def format_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}x"


def machine_summary() -> str:
    versions = ", ".join(f"{n} {version(n)}" for n in ("jupyter_mlops", "mlflow"))
    return (
        f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{versions}"
    )


def markdown(rows: list[Row]) -> str:
    lines = [
        "| workload (through `MlflowClient`) | ours | `mlflow server` | ours / mlflow "
        "| FastTrackML | ours / FastTrackML |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.workload} | {format_value(row.values.get('ours'), row.unit)} "
            f"| {format_value(row.values.get('mlflow'), row.unit)} "
            f"| {format_ratio(row.ratio('mlflow'))} "
            f"| {format_value(row.values.get('fasttrackml'), row.unit)} "
            f"| {format_ratio(row.ratio('fasttrackml'))} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help=f"comma-separated subset of {', '.join(SYSTEMS)}",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds over all servers; the best one counts"
    )
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    systems = tuple(s for s in args.systems.split(",") if s)
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        parser.error(f"unknown systems: {', '.join(sorted(unknown))}")
    print(machine_summary(), flush=True)
    rows = run_benchmarks(
        QUICK if args.quick else Sizes(), systems, args.rounds, lambda s: print(s, flush=True)
    )
    table = markdown(rows)
    print()
    print(table)
    if args.markdown:
        args.markdown.write_text(
            "# MLflow-client benchmark\n\n"
            f"`python benchmarks/mlflow_client.py`, on {machine_summary()}.\n\n" + table + "\n"
        )
    return rows


if __name__ == "__main__":
    main()
