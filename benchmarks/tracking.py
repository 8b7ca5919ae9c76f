"""Tracking benchmark: the same workloads against our store, our REST API and MLflow.

    python benchmarks/tracking.py               # everything, a few minutes on 2 cores
    python benchmarks/tracking.py --quick       # smaller sizes, for a smoke run
    python benchmarks/tracking.py --markdown docs/benchmarks.md
    python benchmarks/tracking.py --no-postgres # SQLite only

Each workload runs on fresh SQLite files in a temporary folder: our direct store
(``MlopsClient("sqlite:///...")``), our REST API (a real ``jupyter server`` with the
extension, through the same client), and MLflow 3 on its embedded SQLite store (the way a
notebook user runs it). Our direct store and our REST API also run on PostgreSQL, each on
a scratch database made for the run and dropped after it (``--postgres URI`` names the
maintenance database; see benchmarks/postgres.py). Slow MLflow workloads run on fewer
items and are compared as rates; every figure printed says what it measures. Needs the
``bench`` extra (``pip install -e ".[bench]"``).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from postgres import DEFAULT_ADMIN_URI, scratch_databases, settle_after_seeding
from server_process import mlops_jupyter_server

warnings.filterwarnings("ignore")
logging.getLogger("mlflow").setLevel(logging.ERROR)
logging.getLogger("alembic").setLevel(logging.ERROR)
os.environ.setdefault("MLFLOW_ENABLE_ASYNC_LOGGING", "false")
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")


# -- measuring ---------------------------------------------------------------------------
def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_time(fn: Callable[[], object], repeat: int = 7) -> float:
    fn()  # warm caches and connections once, as a user's second query would
    return statistics.median(timed(fn) for _ in range(repeat))


# Our systems, in the tables' order: (key, label). "store" is the direct store on SQLite.
SYSTEMS = (
    ("store", "ours, SQLite"),
    ("store_pg", "ours, PostgreSQL"),
    ("rest", "ours, REST on SQLite"),
    ("rest_pg", "ours, REST on PostgreSQL"),
)


@dataclass
class Row:
    workload: str
    unit: str  # "ops/s" (higher is better) or "s" (lower is better)
    target: str
    values: dict[str, float] = field(default_factory=dict)

    def ratio(self, system: str, base_system: str = "mlflow") -> float | None:
        """How many times better ``system`` did than ``base_system``."""
        ours, base = self.values.get(system), self.values.get(base_system)
        if ours is None or base is None or ours == 0 or base == 0:
            return None
        return ours / base if self.unit == "ops/s" else base / ours

    def postgres_cost(self) -> float | None:
        """The direct store's time on PostgreSQL over its time on SQLite (2.0: twice as
        long; issue #13 asks at most that of synchronous log_metric)."""
        return self.ratio("store", "store_pg")


# -- systems -----------------------------------------------------------------------------
class BatchLogging:
    """The log_batch workloads, alike on both clients but for their Metric and Param."""

    client: Any
    metric: Callable[[str, float, int, int], Any]  # Metric(key, value, timestamp, step)

    def params(self, values: dict[str, str]) -> Any:
        return values

    def log_batch_points(self, total: int, chunk: int) -> tuple[float, str]:
        run_id = self.client.create_run("0").info.run_id
        now = int(time.time() * 1000)
        batches = [
            [self.metric("loss", random.random(), now + i, i) for i in range(s, s + chunk)]
            for s in range(0, total, chunk)
        ]
        return timed(lambda: [self.client.log_batch(run_id, metrics=b) for b in batches]), run_id

    def create_runs(self, experiment_id: str, n: int) -> None:
        for r in range(n):
            run_id = self.client.create_run(experiment_id).info.run_id
            now = int(time.time() * 1000)
            params = self.params({f"p{i}": f"v{(r + i) % 7}" for i in range(20)})
            metrics = [self.metric(f"m{i}", random.random(), now, 0) for i in range(5)]
            self.client.log_batch(run_id, metrics=metrics, params=params)
            self.client.set_terminated(run_id)


class Ours(BatchLogging):
    """Our client, over the direct store or REST."""

    def __init__(self, uri: str, token: str | None = None) -> None:
        from jupyter_mlops import MlopsClient
        from jupyter_mlops.tracking.entities import Metric

        self.metric = Metric
        self.uri, self.token = uri, token
        self.client = MlopsClient(uri, token=token)

    def experiment(self, name: str) -> str:
        return self.client.create_experiment(name).experiment_id

    def log_metric_loop(self, n: int, synchronous: bool) -> float:
        import jupyter_mlops as mlops

        mlops.set_tracking_uri(self.uri, token=self.token)
        with mlops.start_run(synchronous=synchronous):
            start = time.perf_counter()
            for i in range(n):
                mlops.log_metric("loss", 1.0 / (i + 1), step=i)
        return time.perf_counter() - start  # includes the final flush at end_run

    def search(self, experiment_id: str, filter_string: str | None, max_results: int) -> int:
        page = self.client.search_runs([experiment_id], filter_string, max_results=max_results)
        return len(page.items)

    def history(self, run_id: str, key: str, max_points: int | None = None) -> int:
        return len(self.client.get_metric_history(run_id, key, max_points=max_points))


class MLflow(BatchLogging):
    """MLflow 3 on its embedded SQLite store, through its own client and fluent API."""

    def __init__(self, uri: str) -> None:
        import mlflow
        from mlflow import MlflowClient
        from mlflow.entities import Metric, Param

        self.metric, self.param = Metric, Param
        mlflow.set_tracking_uri(uri)
        self.mlflow, self.client = mlflow, MlflowClient(uri)
        self.client.search_experiments()  # creates and migrates the database, untimed

    def experiment(self, name: str) -> str:
        return str(self.client.create_experiment(name))

    def log_metric_loop(self, n: int) -> float:
        with self.mlflow.start_run():
            start = time.perf_counter()
            for i in range(n):
                self.mlflow.log_metric("loss", 1.0 / (i + 1), step=i)
        return time.perf_counter() - start

    def params(self, values: dict[str, str]) -> Any:
        return [self.param(key, value) for key, value in values.items()]

    def search(self, experiment_id: str, filter_string: str | None, max_results: int) -> int:
        return len(
            self.client.search_runs([experiment_id], filter_string or "", max_results=max_results)
        )

    def history(self, run_id: str, key: str) -> int:
        return len(self.client.get_metric_history(run_id, key))


# -- bulk seeding for the 100,000-run search (through SQL: the API would take hours on MLflow)
def seeded_rows(n_runs: int, experiment_id: int) -> Iterator[dict[str, object]]:
    now = int(time.time() * 1000)
    rng = random.Random(7)
    for r in range(n_runs):
        yield {
            "run_id": uuid.uuid4().hex,
            "experiment_id": experiment_id,
            "start_time": now - r * 1000,
            "params": {f"p{i}": f"v{rng.randrange(7)}" for i in range(5)},
            "metrics": {f"m{i}": rng.random() for i in range(3)},
        }


def seed_ours(uri: str, experiment_id: str, n_runs: int) -> None:
    from sqlalchemy import create_engine, insert, text

    from jupyter_mlops.tracking.store.models import (
        SqlLatestMetric,
        SqlMetricPoint,
        SqlParam,
        SqlRun,
    )

    engine = create_engine(uri)
    exp = int(experiment_id)
    with engine.begin() as conn:
        series_id = conn.execute(text("SELECT coalesce(max(series_id), 0) FROM latest_metrics"))
        next_series = int(series_id.scalar_one()) + 1
        for chunk in _chunks(list(seeded_rows(n_runs, exp)), 5000):
            conn.execute(insert(SqlRun), [
                {"run_id": r["run_id"], "experiment_id": exp, "name": f"run-{i}",
                 "status": "FINISHED", "start_time": r["start_time"], "end_time": r["start_time"],
                 "user_id": "bench", "lifecycle_stage": "active",
                 "artifact_uri": f"{exp}/{r['run_id']}/artifacts"}
                for i, r in enumerate(chunk)
            ])  # fmt: skip
            conn.execute(insert(SqlParam), [
                {"run_id": r["run_id"], "key": k, "value": v}
                for r in chunk for k, v in r["params"].items()  # type: ignore[attr-defined]
            ])  # fmt: skip
            series = [
                {"run_id": r["run_id"], "key": k, "value": v, "step": 0,
                 "timestamp": r["start_time"], "min_value": v, "max_value": v, "points": 1}
                for r in chunk for k, v in r["metrics"].items()  # type: ignore[attr-defined]
            ]  # fmt: skip
            for row in series:
                row["series_id"], next_series = next_series, next_series + 1
            conn.execute(insert(SqlLatestMetric), series)
            conn.execute(insert(SqlMetricPoint), [
                {"series_id": m["series_id"], "step": 0, "timestamp": m["timestamp"], "seq": 0,
                 "value": m["value"]}
                for m in series
            ])  # fmt: skip
    engine.dispose()


def seed_mlflow(uri: str, experiment_id: str, n_runs: int) -> None:
    from mlflow.store.tracking.dbmodels.models import SqlLatestMetric, SqlMetric, SqlParam, SqlRun
    from sqlalchemy import create_engine, insert

    engine = create_engine(uri)
    exp = int(experiment_id)
    with engine.begin() as conn:
        for chunk in _chunks(list(seeded_rows(n_runs, exp)), 5000):
            conn.execute(insert(SqlRun), [
                {"run_uuid": r["run_id"], "experiment_id": exp, "name": f"run-{i}",
                 "source_type": "LOCAL", "source_name": "", "entry_point_name": "",
                 "user_id": "bench", "status": "FINISHED", "start_time": r["start_time"],
                 "end_time": r["start_time"], "source_version": "", "lifecycle_stage": "active",
                 "artifact_uri": f"/tmp/{r['run_id']}"}
                for i, r in enumerate(chunk)
            ])  # fmt: skip
            conn.execute(insert(SqlParam), [
                {"run_uuid": r["run_id"], "key": k, "value": v}
                for r in chunk for k, v in r["params"].items()  # type: ignore[attr-defined]
            ])  # fmt: skip
            metric_rows = [
                {"run_uuid": r["run_id"], "key": k, "value": v, "step": 0,
                 "timestamp": r["start_time"], "is_nan": False}
                for r in chunk for k, v in r["metrics"].items()  # type: ignore[attr-defined]
            ]  # fmt: skip
            conn.execute(insert(SqlMetric), metric_rows)
            conn.execute(insert(SqlLatestMetric), metric_rows)
    engine.dispose()


def seed_history_mlflow(uri: str, run_id: str, key: str, n_points: int) -> None:
    """Top up an MLflow run's history to n_points through SQL, so reads compare like for like."""
    from mlflow.store.tracking.dbmodels.models import SqlMetric
    from sqlalchemy import create_engine, func, insert, select

    engine = create_engine(uri)
    with engine.begin() as conn:
        have = conn.scalar(select(func.count()).select_from(SqlMetric).where(
            SqlMetric.run_uuid == run_id, SqlMetric.key == key))  # fmt: skip
        now = int(time.time() * 1000)
        rows = [
            {"run_uuid": run_id, "key": key, "value": random.random(), "step": i,
             "timestamp": now + i, "is_nan": False}
            for i in range(have or 0, n_points)
        ]  # fmt: skip
        for chunk in _chunks(rows, 10000):
            conn.execute(insert(SqlMetric), chunk)
    engine.dispose()


def _chunks(items: list, size: int) -> Iterator[list]:  # type: ignore[type-arg]
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- the run ---------------------------------------------------------------------------
@dataclass
class Sizes:
    log_metric_calls: int = 5000
    mlflow_log_metric_calls: int = 500
    rest_sync_log_metric_calls: int = 1000
    batch_points: int = 100_000
    mlflow_batch_points: int = 20_000
    runs: int = 200
    big_runs: int = 100_000
    history_points: int = 100_000


QUICK = Sizes(1000, 100, 200, 10_000, 5_000, 40, 10_000, 10_000)
FILTER = "metrics.m0 > 0.5 AND params.p0 = 'v3'"


@dataclass
class Bench:
    """One benchmark run: its folder, the systems measured and the rows measured so far."""

    sizes: Sizes
    work: Path
    systems: dict[str, Ours]  # keys of SYSTEMS, those measured
    store_uris: dict[str, str]  # each system's database, for seeding through SQL
    baseline: MLflow
    progress: Callable[[str], None]
    rows: list[Row] = field(default_factory=list)

    @property
    def everyone(self) -> dict[str, Ours | MLflow]:
        return {"mlflow": self.baseline, **self.systems}

    def add(self, row: Row) -> None:
        self.rows.append(row)
        self.progress(format_row(row))


def run_benchmarks(
    sizes: Sizes, with_rest: bool, postgres: str | None, progress: Callable[[str], None]
) -> list[Row]:
    """``postgres``: the maintenance URI to make scratch databases on, or None for none."""
    with tempfile.TemporaryDirectory(prefix="mlops-bench-") as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        os.environ["JUPYTER_MLOPS_ARTIFACT_ROOT"] = str(work / "direct-artifacts")
        uris = {"store": f"sqlite:///{work / 'direct.db'}"}
        if with_rest:
            uris["rest"] = f"sqlite:///{work / 'rest' / 'mlops.db'}"
        if postgres is not None:
            wanted = ["store_pg", "rest_pg"] if with_rest else ["store_pg"]
            uris.update(stack.enter_context(scratch_databases(postgres, wanted)))
        systems: dict[str, Ours] = {}
        for name, uri in uris.items():
            if name.startswith("rest"):
                url, token = stack.enter_context(mlops_jupyter_server(work / name, store_uri=uri))
                systems[name] = Ours(url, token)
            else:
                systems[name] = Ours(uri)
        systems = {name: systems[name] for name, _ in SYSTEMS if name in systems}
        baseline = MLflow(f"sqlite:///{work / 'mlflow.db'}")
        bench = Bench(sizes, work, systems, uris, baseline, progress)
        measure_log_metric(bench)
        history_runs = measure_log_batch(bench)
        experiments = measure_run_creation(bench)
        measure_searches(bench, experiments)
        measure_searches_of_seeded_runs(bench)
        measure_history(bench, history_runs)
    return bench.rows


def measure_log_metric(bench: Bench) -> None:
    """1. sequential log_metric in one run, batched and synchronous."""
    sizes, baseline = bench.sizes, bench.baseline
    row = Row(f"{sizes.log_metric_calls:,} log_metric calls, batched", "ops/s", ">=500x")
    row.values["mlflow"] = sizes.mlflow_log_metric_calls / baseline.log_metric_loop(
        sizes.mlflow_log_metric_calls
    )
    for name, ours in bench.systems.items():
        row.values[name] = sizes.log_metric_calls / ours.log_metric_loop(
            sizes.log_metric_calls, synchronous=False
        )
    bench.add(row)
    synchronous = Row("log_metric calls, synchronous=True", "ops/s", ">=10x")
    synchronous.values["mlflow"] = row.values["mlflow"]
    for name, ours in bench.systems.items():
        n = sizes.rest_sync_log_metric_calls if name.startswith("rest") else sizes.log_metric_calls
        synchronous.values[name] = n / ours.log_metric_loop(n, synchronous=True)
    bench.add(synchronous)


def measure_log_batch(bench: Bench) -> dict[str, str]:
    """2. log_batch of metric points in chunks of 1,000; the run of each system's points."""
    sizes = bench.sizes
    row = Row(f"{sizes.batch_points:,} points via log_batch (1,000 a call)", "ops/s", ">=30x")
    history_runs: dict[str, str] = {}
    seconds, history_runs["mlflow"] = bench.baseline.log_batch_points(
        sizes.mlflow_batch_points, 1000
    )
    row.values["mlflow"] = sizes.mlflow_batch_points / seconds
    for name, ours in bench.systems.items():
        seconds, history_runs[name] = ours.log_batch_points(sizes.batch_points, 1000)
        row.values[name] = sizes.batch_points / seconds
    bench.add(row)
    return history_runs


def measure_run_creation(bench: Bench) -> dict[str, str]:
    """3. runs with 20 params and 5 metrics; the experiment of each system's runs."""
    runs = bench.sizes.runs
    row = Row(f"{runs} runs with 20 params and 5 metrics", "ops/s", ">=10x")
    experiments: dict[str, str] = {}
    for name, system in bench.everyone.items():
        experiments[name] = system.experiment("runs")
        row.values[name] = runs / timed(
            lambda s=system, n=name: s.create_runs(experiments[n], runs)
        )
    bench.add(row)
    return experiments


def measure_searches(bench: Bench, experiments: dict[str, str]) -> None:
    """4. searches over the runs of measure_run_creation."""
    for label, flt in (("filtered search", FILTER), ("listing", None)):
        row = Row(f"{label} over {bench.sizes.runs} runs", "s", ">=10x")
        for name, system in bench.everyone.items():
            row.values[name] = median_time(
                lambda s=system, n=name, f=flt: s.search(experiments[n], f, 1000)
            )
        bench.add(row)


def measure_searches_of_seeded_runs(bench: Bench) -> None:
    """5. searches over 100,000 runs, seeded through SQL."""
    big_runs = bench.sizes.big_runs
    big = {name: system.experiment("big") for name, system in bench.everyone.items()}
    bench.progress(f"seeding {big_runs:,} runs into each store ...")
    seed_mlflow(f"sqlite:///{bench.work / 'mlflow.db'}", big["mlflow"], big_runs)
    for name in bench.systems:
        uri = bench.store_uris[name]
        seed_ours(uri, big[name], big_runs)
        if uri.startswith("postgresql"):
            settle_after_seeding(uri)
    for label, flt in (("filtered search", FILTER), ("listing", None)):
        row = Row(f"{label} over {big_runs:,} runs (first 100)", "s", ">=10x")
        for name, system in bench.everyone.items():
            row.values[name] = median_time(
                lambda s=system, n=name, f=flt: s.search(big[n], f, 100), repeat=5
            )
        bench.add(row)


def measure_history(bench: Bench, history_runs: dict[str, str]) -> None:
    """6. metric history of the runs of measure_log_batch, whole and downsampled."""
    points = bench.sizes.history_points
    mlflow_run = history_runs["mlflow"]
    seed_history_mlflow(f"sqlite:///{bench.work / 'mlflow.db'}", mlflow_run, "loss", points)
    row = Row(f"history of a {points:,}-point metric", "s", ">=10x")
    row.values["mlflow"] = median_time(lambda: bench.baseline.history(mlflow_run, "loss"), repeat=3)
    for name, ours in bench.systems.items():
        row.values[name] = median_time(
            lambda o=ours, n=name: o.history(history_runs[n], "loss"), repeat=5
        )
    bench.add(row)
    row = Row("  ... downsampled to 1,000 points", "s", "<50 ms")
    for name, ours in bench.systems.items():
        row.values[name] = median_time(
            lambda o=ours, n=name: o.history(history_runs[n], "loss", 1000)
        )
    bench.add(row)


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:,.1f} ms"
    return f"{value:,.0f}/s"


def format_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}x"


def format_row(row: Row) -> str:
    cells = [f"{row.workload:<46} mlflow {format_value(row.values.get('mlflow'), row.unit):>11}"]
    for name, _ in SYSTEMS:
        if name in row.values:
            value = format_value(row.values[name], row.unit)
            cells.append(f"{name} {value:>11} ({format_ratio(row.ratio(name))})")
    if row.postgres_cost() is not None:
        cells.append(f"PG/SQLite time {row.postgres_cost():.2f}")
    return " | ".join([*cells, f"target {row.target}"])


def machine_summary() -> str:
    versions = ", ".join(
        f"{name} {version(name)}" for name in ("jupyter_mlops", "mlflow", "sqlalchemy")
    )
    return (
        f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{versions}"
    )


def markdown(rows: list[Row]) -> str:
    """The table: MLflow, then each of our systems measured with its ratio to MLflow, and
    the direct store's time on PostgreSQL over its time on SQLite where both ran."""
    measured = [(name, label) for name, label in SYSTEMS if any(name in r.values for r in rows)]
    postgres = any(r.postgres_cost() is not None for r in rows)
    header = ["workload", "MLflow 3 (SQLite)"]
    for _, label in measured:
        header += [label, "ratio"]
    header += ["PG time / SQLite time"] * postgres + ["target"]
    lines = [
        "| " + " | ".join(header) + " |",
        "|---|" + "---:|" * (len(header) - 2) + "---|",
    ]
    for row in rows:
        cells = [row.workload.strip(" ."), format_value(row.values.get("mlflow"), row.unit)]
        for name, _ in measured:
            cells += [format_value(row.values.get(name), row.unit), format_ratio(row.ratio(name))]
        if postgres:
            cost = row.postgres_cost()
            cells.append("-" if cost is None else f"{cost:.2f}")
        cells.append(row.target)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_markdown(path: Path, table: str) -> None:
    """Put the table at the top of ``path``, in place of the heading, introduction and
    table that are there; the analysis after the table and the later sections stay."""
    section = (
        "# Tracking benchmark\n\n"
        "`python benchmarks/tracking.py --markdown docs/benchmarks.md`, on "
        f"{machine_summary()}.\n\nRates are higher-is-better, times lower-is-better; "
        "a ratio is always how many times better than MLflow.\n\n" + table + "\n"
    )
    lines = path.read_text().splitlines(keepends=True) if path.exists() else []
    in_table = False
    for i, line in enumerate(lines):
        if line.startswith("|"):
            in_table = True
        elif in_table or line.startswith("## "):
            # The first line after the old table (or the next section when none).
            path.write_text(section + "".join(lines[i:]))
            return
    path.write_text(section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument("--no-rest", action="store_true", help="skip our REST API")
    parser.add_argument(
        "--markdown",
        type=Path,
        help="also write the table to this file (its first section; later sections stay)",
    )
    parser.add_argument(
        "--postgres",
        default=DEFAULT_ADMIN_URI,
        metavar="URI",
        help="PostgreSQL maintenance database to make the scratch databases on "
        f"(default {DEFAULT_ADMIN_URI})",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--mlflow-client",
        action="store_true",
        help="instead, run the workloads through MLflow's client against our MLflow-compatible "
        "endpoint, `mlflow server` and FastTrackML (benchmarks/mlflow_client.py)",
    )
    args = parser.parse_args()
    if args.mlflow_client:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import mlflow_client

        mlflow_client.main(["--quick"] * args.quick)
        return
    print(machine_summary(), flush=True)
    postgres = None if args.no_postgres else args.postgres
    rows = run_benchmarks(QUICK if args.quick else Sizes(), not args.no_rest, postgres, print)
    table = markdown(rows)
    print()
    print(table)
    if args.markdown:
        write_markdown(args.markdown, table)


if __name__ == "__main__":
    main()
