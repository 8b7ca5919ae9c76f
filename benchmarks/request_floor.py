"""Where a small MLflow call's time goes: raw HTTP latency, without MLflow's client.

    python benchmarks/request_floor.py              # about half a minute on 2 cores

One keep-alive ``http.client`` connection per server sends the same request again and
again; the best of five rounds of 500 is reported, per request. Servers, side by side:

* a bare tornado application answering a constant (no jupyter_server, no authentication,
  no database): the floor of any handler in a Python tornado server on this machine;
* ours (``jupyter server`` with jupyter_mlops): the MLflow API's ``/health`` (identity
  only) and ``runs/get`` of a small run (identity, the thread-pool hop, the store);
* FastTrackML's ``fml server`` (Go), when installed: its ``/health`` and ``runs/get``.

Through ``MlflowClient`` each call adds the same client work (about 2.5 ms here) on every
server; ``benchmarks/mlflow_client.py`` measures that end to end.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from mlflow_client import Server, fasttrackml, fml_binary, free_port, ours

_TORNADO_APP = """
import asyncio, sys, tornado.web
class Constant(tornado.web.RequestHandler):
    def get(self):
        self.finish('{"status": "OK"}')
async def main():
    tornado.web.Application([("/health", Constant)]).listen(int(sys.argv[1]), "127.0.0.1")
    await asyncio.Event().wait()
asyncio.run(main())
"""


@contextlib.contextmanager
def bare_tornado() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", _TORNADO_APP, str(port)])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
                break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait()


class Connection:
    def __init__(self, url: str, token: str | None) -> None:
        parts = urlsplit(url)
        self.prefix = parts.path.rstrip("/")
        self.conn = http.client.HTTPConnection(parts.hostname or "", parts.port)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: object = None) -> bytes:
        data = None if body is None else json.dumps(body)
        self.conn.request(method, self.prefix + path, body=data, headers=self.headers)
        response = self.conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:200]!r}")
        return payload

    def small_run(self) -> str:
        """A run with a few params and one metric, as a notebook's run starts out."""
        api = "/api/2.0/mlflow"
        name = f"floor-{time.time_ns()}"
        experiment = json.loads(self.call("POST", f"{api}/experiments/create", {"name": name}))
        created = self.call(
            "POST", f"{api}/runs/create", {"experiment_id": experiment["experiment_id"]}
        )
        run_id = str(json.loads(created)["run"]["info"]["run_id"])
        params = [{"key": f"p{i}", "value": str(i)} for i in range(5)]
        metrics = [{"key": "loss", "value": 0.5, "timestamp": 1, "step": 0}]
        self.call(
            "POST",
            f"{api}/runs/log-batch",
            {"run_id": run_id, "params": params, "metrics": metrics},
        )
        return run_id


def per_request(conn: Connection, path: str, rounds: int = 5, n: int = 500) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            conn.call("GET", path)
        best = min(best, (time.perf_counter() - start) / n)
    return best


def measure(name: str, server: Server) -> list[tuple[str, float]]:
    conn = Connection(server.tracking_uri, server.token)
    run_id = conn.small_run()
    return [
        (f"{name}: /health", per_request(conn, "/health")),
        (f"{name}: runs/get", per_request(conn, f"/api/2.0/mlflow/runs/get?run_id={run_id}")),
    ]


def main() -> None:
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        workdir = Path(folder)
        tornado_url = stack.enter_context(bare_tornado())
        servers = {"ours": stack.enter_context(ours(workdir))}
        if fml_binary() is not None:
            servers["FastTrackML"] = stack.enter_context(fasttrackml(workdir))
        rows.append(
            ("bare tornado: constant", per_request(Connection(tornado_url, None), "/health"))
        )
        for name, server in servers.items():
            rows += measure(name, server)
    width = max(len(label) for label, _ in rows)
    for label, seconds in rows:
        print(f"{label:<{width}}  {seconds * 1e6:7.0f} µs per request")


if __name__ == "__main__":
    main()
