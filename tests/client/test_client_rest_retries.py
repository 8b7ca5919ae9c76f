"""The REST transport retries what is safe to retry, and nothing else.

A real HTTP server on loopback plays a proxy whose backend is briefly unavailable.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jupyter_mlops.client.rest_transport import RestTransport
from jupyter_mlops.errors import MLOpsError, NotFound
from jupyter_mlops.tracking.entities import Metric

RUN_ID = "a" * 32
RUN_JSON = {
    "run": {
        "info": {
            "run_id": RUN_ID,
            "run_name": "r",
            "experiment_id": "0",
            "user": "u",
            "status": "RUNNING",
            "start_time": 1,
            "end_time": None,
            "parent_run_id": None,
            "lifecycle_stage": "active",
            "artifact_uri": f"0/{RUN_ID}/artifacts",
        },
        "params": {},
        "tags": {},
        "metrics": {"loss": {"value": "NaN", "step": 0, "timestamp": 1, "min": None, "max": None}},
    }
}


class _FlakyProxy(BaseHTTPRequestHandler):
    """Answers 503 to the first GET of a run, then the run; 503 to every batch POST."""

    calls: list[str] = []

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def _answer(self, status: int, body: object | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.calls.append(f"GET {self.path}")
        if self.path.endswith("/missing"):
            self._answer(404, {"error": {"code": "RESOURCE_DOES_NOT_EXIST", "message": "no"}})
        elif self.calls.count(f"GET {self.path}") == 1:
            self._answer(503, {"message": "backend restarting"})
        else:
            self._answer(200, RUN_JSON)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        self.calls.append(f"POST {self.path} {body['metrics'][0]['value']}")
        self._answer(503, {"message": "backend restarting"})


@pytest.fixture
def mlops_flaky_proxy() -> Iterator[str]:
    _FlakyProxy.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FlakyProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/base/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_reads_are_retried_and_writes_are_not(mlops_flaky_proxy: str) -> None:
    transport = RestTransport(mlops_flaky_proxy, "secret")
    try:
        run = transport.get_run(RUN_ID)
        with pytest.raises(MLOpsError, match="503"):
            transport.log_batch(RUN_ID, metrics=[Metric("loss", float("inf"), 1, 0)])
        with pytest.raises(NotFound):  # a 4xx is an answer, not a failure: no retry
            transport.get_run("missing")
    finally:
        transport.close()

    assert run.info.run_id == RUN_ID
    assert str(run.metrics["loss"].value) == "nan"
    assert _FlakyProxy.calls == [
        f"GET /base/mlops/api/runs/{RUN_ID}",
        f"GET /base/mlops/api/runs/{RUN_ID}",
        f"POST /base/mlops/api/runs/{RUN_ID}/batch Infinity",
        "GET /base/mlops/api/runs/missing",
    ]
