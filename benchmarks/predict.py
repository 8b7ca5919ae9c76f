"""Warm predict latency through the API: the scoring worker against the in-process path.

    python benchmarks/predict.py                 # about a minute on 2 cores
    python benchmarks/predict.py --requests 300  # quicker

One real ``jupyter server`` with jupyter_mlops serves a registered scikit-learn model two
ways, over one keep-alive ``http.client`` connection each:

* **worker**: ``POST mlops/api/models/{name}/predict``, as shipped: the server resolves
  the version and passes the body to the version's scoring worker process over a Unix
  socket (``jupyter_mlops.models.scoring.pool``);
* **in-process**: the path this endpoint had before scoring workers, mounted by this file
  as a second server extension at ``mlops/bench/inprocess/{name}/predict`` (benchmarks
  only: it loads the model in the server): the same version resolution, then the model
  loaded once into a cache and ``invoke`` run in the server's thread pool.

Both get the same requests (one row, and a batch of 1,000 rows), in alternating blocks
of 100 so that a shared machine's load weighs on both alike; p50 and p99 per request are
reported, and the difference. A second table isolates the transport, without HTTP: in this
process, ``invoke`` in a thread pool against ``ScoringPool.predict`` to a worker. The
target (issue #12): the worker within 2 ms of the in-process path.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import http.client
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MODEL = "bench-iris"
JSON = "application/json"
#: Requests a path gets in a row before the other's turn.
BLOCK = 100


# -- the in-process path, as a server extension (loaded by the server, from this file) -------
def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "predict"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from jupyter_server.utils import url_path_join

    base = serverapp.web_app.settings["base_url"]
    route = url_path_join(base, "mlops/bench/inprocess/(?P<name>[^/]+)/predict")
    serverapp.web_app.add_handlers(".*$", [(route, _in_process_handler())])


def _in_process_handler() -> type:
    from jupyter_server.auth.decorator import authorized
    from tornado import web

    from jupyter_mlops.models.flavors import load_predictor
    from jupyter_mlops.models.mlmodel import MLModel
    from jupyter_mlops.models.pyfunc_model import PyFuncModel
    from jupyter_mlops.models.scoring.invoke import invoke
    from jupyter_mlops.models.scoring.targets import resolve_target
    from jupyter_mlops.server.handlers.base import SETTING_PROCESS_POLICY, MlopsAPIHandler

    models: dict[Any, PyFuncModel] = {}
    lock = threading.Lock()

    def cached(key: Any, folder: Path) -> PyFuncModel:
        with lock:
            if key not in models:
                mlmodel = MLModel.load(folder)
                models[key] = PyFuncModel(mlmodel, load_predictor(folder, mlmodel), folder)
            return models[key]

    class InProcessPredictHandler(MlopsAPIHandler):
        """The predict handler before scoring workers: three thread-pool hops (resolve,
        the model cache, invoke), the model loaded in this process."""

        @web.authenticated
        @authorized
        async def post(self, name: str) -> None:
            policy = self.settings[SETTING_PROCESS_POLICY]
            target = await self.run(
                resolve_target, self.registry, policy, self.caller, name, None, None
            )
            model = await self.run(cached, target.key, target.folder)
            document = await self.run(
                invoke, model, self.request.body, self.request.headers.get("Content-Type")
            )
            document["model"] = {"name": target.name, "version": target.version}
            self.write_json(document)

    return InProcessPredictHandler


# -- the benchmark ----------------------------------------------------------------------------
@contextlib.contextmanager
def server(workdir: Path) -> Iterator[tuple[str, str]]:
    """(base URL, token) of a jupyter server with jupyter_mlops and the in-process path."""
    sys.path.insert(0, str(HERE))
    from server_process import mlops_jupyter_server

    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(HERE), os.environ.get("PYTHONPATH")])
    )
    extensions = "{'jupyter_mlops': True, 'predict': True}"
    with mlops_jupyter_server(workdir / "server", extensions) as (url, token):
        yield url, token


class Client:
    def __init__(self, url: str, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1].strip("/")))
        self.headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: bytes | None = None) -> Any:
        self.conn.request(method, f"/mlops/{path}", body=body, headers=self.headers)
        response = self.conn.getresponse()
        payload = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:300]!r}")
        return json.loads(payload) if payload else None


def register_model(client: Client, artifact_root: Path) -> Any:
    """A logistic regression on four columns, registered as version 1 of MODEL; returns
    the feature table."""
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    from jupyter_mlops.models import save_model

    rng = np.random.default_rng(0)
    features = pd.DataFrame(rng.normal(size=(1000, 4)), columns=["a", "b", "c", "d"])
    labels = (features.sum(axis=1) > 0).astype(int)
    model = LogisticRegression().fit(features, labels)
    save_model(model, artifact_root / "bench" / MODEL, input_example=features.head(3))
    client.call("POST", "api/registered-models", json.dumps({"name": MODEL}).encode())
    client.call(
        "POST",
        f"api/registered-models/{MODEL}/versions",
        json.dumps({"source": f"bench/{MODEL}"}).encode(),
    )
    return features


def interleaved(
    calls: Mapping[str, Callable[[], Any]], n: int, block: int = BLOCK
) -> dict[str, list[float]]:
    """Seconds per call of each, ``n`` calls each, in alternating blocks of ``block``
    calls: a shared machine's load weighs on all alike, and each path runs warm within
    its block, as a path in steady use does (call by call, a worker would sleep through
    every other call and pay the scheduler's wake-up, which the server, busy with both,
    never would)."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    while len(times[next(iter(calls))]) < n:
        for name, call in calls.items():
            for _ in range(min(block, n - len(times[name]))):
                start = time.perf_counter()
                call()
                times[name].append(time.perf_counter() - start)
    return times


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


Row = tuple[str, tuple[float, float], tuple[float, float]]


def through_the_api(payloads: dict[str, bytes], url: str, token: str, n: int) -> list[Row]:
    paths = {
        "in-process": f"bench/inprocess/{MODEL}/predict",
        "worker": f"api/models/{MODEL}/predict",
    }
    clients = {name: Client(url, token) for name in paths}
    rows = []
    for label, body in payloads.items():
        calls = {
            name: functools.partial(clients[name].call, "POST", path, body)
            for name, path in paths.items()
        }
        interleaved(calls, 50)  # warm: loaded, connections open
        rows.append(_row(label, interleaved(calls, n)))
    return rows


def transport_only(payloads: dict[str, bytes], folder: Path, n: int) -> list[Row]:
    """In this process, no HTTP: ``invoke`` in a thread pool (the in-process path's last
    hop) against ``ScoringPool.predict`` (the socket round trip to a worker)."""
    from concurrent.futures import ThreadPoolExecutor

    from jupyter_mlops.models.flavors import load_predictor
    from jupyter_mlops.models.mlmodel import MLModel
    from jupyter_mlops.models.pyfunc_model import PyFuncModel
    from jupyter_mlops.models.scoring.invoke import invoke
    from jupyter_mlops.models.scoring.pool import ScoringPool
    from jupyter_mlops.models.scoring.targets import ScoringTarget
    from jupyter_mlops.processes import ProcessPolicy

    mlmodel = MLModel.load(folder)
    model = PyFuncModel(mlmodel, load_predictor(folder, mlmodel), folder)
    target = ScoringTarget(MODEL, "1", folder)

    async def measure() -> list[Row]:
        loop = asyncio.get_running_loop()
        pool = ScoringPool(ProcessPolicy())
        rows = []
        with ThreadPoolExecutor(2) as executor:
            for label, body in payloads.items():
                times: dict[str, list[float]] = {"in-process": [], "worker": []}
                for round_ in range(-1, -(-n // BLOCK)):  # round -1: warming up
                    for name in times:
                        for _ in range(BLOCK if round_ >= 0 else 20):
                            start = time.perf_counter()
                            if name == "worker":
                                await pool.predict(target, body, JSON)
                            else:
                                await loop.run_in_executor(executor, invoke, model, body, JSON)
                            if round_ >= 0:
                                times[name].append(time.perf_counter() - start)
                rows.append(_row(label, times))
        await pool.stop()
        return rows

    return asyncio.run(measure())


def _row(label: str, times: dict[str, list[float]]) -> Row:
    in_process, worker = times["in-process"], times["worker"]
    return (
        label,
        (percentile(in_process, 50), percentile(in_process, 99)),
        (percentile(worker, 50), percentile(worker, 99)),
    )


def _table(title: str, rows: list[Row]) -> None:
    print(f"\n{title}\n")
    print("| request | in-process p50 | worker p50 | difference | in-process p99 | worker p99 "
          "| difference |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, (in_p50, in_p99), (w_p50, w_p99) in rows:
        print(
            f"| {label} | {in_p50 * 1e3:.2f} ms | {w_p50 * 1e3:.2f} ms | "
            f"{(w_p50 - in_p50) * 1e3:+.2f} ms | {in_p99 * 1e3:.2f} ms | {w_p99 * 1e3:.2f} ms | "
            f"{(w_p99 - in_p99) * 1e3:+.2f} ms |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per path and payload")
    args = parser.parse_args()
    before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        artifacts = Path(folder) / "server" / "artifacts"
        with server(Path(folder)) as (url, token):
            features = register_model(Client(url, token), artifacts)
            payloads = {
                label: json.dumps({"dataframe_split": frame.to_dict(orient="split")}).encode()
                for label, frame in (("1 row", features.head(1)), ("1,000 rows", features))
            }
            api = through_the_api(payloads, url, token, args.requests)
        direct = transport_only(payloads, artifacts / "bench" / MODEL, args.requests)
    print(
        f"{args.requests} warm requests a path and payload, in alternating blocks of {BLOCK}; "
        f"{platform.platform()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; load average "
        f"{before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    _table("Through the API (a keep-alive HTTP connection to jupyter server):", api)
    _table("Without HTTP, in one process (invoke in a thread pool / ScoringPool.predict):", direct)


if __name__ == "__main__":
    main()
