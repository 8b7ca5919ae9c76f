"""`jupyter mlops serve` as a real subprocess, queried over HTTP with every payload form
of MLflow's scoring protocol, and with bad ones."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import requests

from jupyter_mlops.models import save_model

REPO = Path(__file__).resolve().parents[2]


def serve_command(*args: str) -> list[str]:
    """`jupyter mlops serve ...` where the console script is installed (pip install),
    else the same module run by this interpreter (a source checkout)."""
    if shutil.which("jupyter-mlops") and shutil.which("jupyter"):
        return ["jupyter", "mlops", "serve", *args]
    return [sys.executable, "-m", "jupyter_mlops.cli", "serve", *args]


class Served:
    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url
        # Keep reading its log (access lines) so a full pipe never blocks the server.
        assert process.stdout is not None
        self.drain = threading.Thread(target=process.stdout.read, daemon=True)
        self.drain.start()

    def post(self, body: Any, content_type: str = "application/json") -> requests.Response:
        data = body if isinstance(body, (bytes, str)) else None
        return requests.post(
            self.url + "/invocations",
            json=None if data is not None else body,
            data=data,
            headers={"Content-Type": content_type},
            timeout=30,
        )


def start_server(model_uri: str, env: dict[str, str] | None = None, *extra: str) -> Served:
    """Start the CLI on a free port; returns once it says where it listens."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    process = subprocess.Popen(
        serve_command(model_uri, "--port", "0", *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=full_env,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 90
    output = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        match = re.search(r"Serving .* on (http://\S+)", line)
        if match:
            return Served(process, match.group(1))
    process.kill()
    raise AssertionError("the scoring server did not start:\n" + "".join(output))


def stop_server(served: Served) -> None:
    served.process.terminate()
    try:
        assert served.process.wait(timeout=20) == 0  # SIGTERM is a clean exit
    finally:
        if served.process.poll() is None:
            served.process.kill()
        served.drain.join(timeout=20)  # EOF once the process is gone
        if served.process.stdout is not None:
            served.process.stdout.close()


@pytest.fixture(scope="module")
def mlops_served(
    tmp_path_factory: pytest.TempPathFactory, mlops_classifier: Any, mlops_iris_frame: pd.DataFrame
) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served") / "model"
    save_model(
        mlops_classifier, folder, input_example=mlops_iris_frame[["sepal", "petals"]].head(2)
    )
    served = start_server(str(folder))
    yield served
    stop_server(served)


def test_health_and_version(mlops_served: Served) -> None:
    for path in ("/ping", "/health"):
        assert requests.get(mlops_served.url + path, timeout=10).status_code == 200
    version = requests.get(mlops_served.url + "/version", timeout=10)
    assert version.status_code == 200 and re.match(r"\d+\.\d+", version.text)


def test_every_payload_form_predicts_the_same(
    mlops_served: Served, mlops_classifier: Any, mlops_iris_frame: pd.DataFrame
) -> None:
    rows = mlops_iris_frame[["sepal", "petals"]].head(5)
    expected = {"predictions": mlops_classifier.predict(rows).tolist()}
    records = rows.to_dict("records")
    payloads = [
        {"dataframe_split": {"columns": ["sepal", "petals"], "data": rows.values.tolist()}},
        {"dataframe_records": records},
        {"instances": records},
        {"inputs": {"sepal": rows["sepal"].tolist(), "petals": rows["petals"].tolist()}},
        {"inputs": rows.values.tolist()},
    ]
    for payload in payloads:
        response = mlops_served.post(payload)
        assert response.status_code == 200, (payload, response.text)
        assert response.json() == expected, payload
    csv = mlops_served.post(rows.to_csv(index=False), "text/csv")
    assert csv.status_code == 200, csv.text
    assert csv.json() == expected


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        (
            {"dataframe_records": [{"sepal": "tall", "petals": 1}]},
            "application/json",
            400,
            "column 'sepal': expected double",
        ),
        (
            {"dataframe_split": {"columns": ["sepal"], "data": [[1.0]]}},
            "application/json",
            400,
            "column 'petals' (long) is missing",
        ),
        ({"inputs": [[1.0, 2, 3]]}, "application/json", 400, "expected 2 columns per row, got 3"),
        ([[1.0, 2]], "application/json", 400, "bare list"),
        ({"rows": []}, "application/json", 400, "exactly one of dataframe_split"),
        ("sepal,petals\nx,1\n", "text/csv", 400, "column 'sepal': expected double"),
        ("{}", "text/plain", 415, "Content-Type must be one of"),
    ],
)
def test_bad_payloads_get_the_mismatch_spelled_out(
    mlops_served: Served, body: Any, content_type: str, status: int, words: str
) -> None:
    response = mlops_served.post(body, content_type)
    assert response.status_code == status, response.text
    error = response.json()
    assert error["error_code"] in ("BAD_REQUEST", "UNSUPPORTED_MEDIA_TYPE")
    assert words in error["message"]


def test_missing_model_fails_to_start(tmp_path: Path) -> None:
    result = subprocess.run(
        serve_command(str(tmp_path / "nothing"), "--port", "0"),
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert result.returncode == 2
    assert "not a model folder" in result.stderr


def test_tensor_model_over_http(tmp_path: Path) -> None:
    """A custom tensor model: `inputs` as nested lists, params from the request."""
    from jupyter_mlops.models import PythonModel

    class Scale(PythonModel):
        def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
            return model_input * params["factor"]

    save_model(Scale(), tmp_path / "m", input_example=(np.ones((1, 2)), {"factor": 2.0}))
    served = start_server(str(tmp_path / "m"))
    try:
        ok = served.post({"inputs": [[1.0, 2.0]], "params": {"factor": 3}})
        assert ok.status_code == 200, ok.text
        assert ok.json() == {"predictions": [[3.0, 6.0]]}
        bad = served.post({"inputs": [[1.0, 2.0, 3.0]], "params": {"factor": "x"}})
        assert bad.status_code == 400
        assert "expected shape [-1, 2], got [1, 3]" in bad.json()["message"]
    finally:
        stop_server(served)


def test_serve_a_registered_model_from_a_jupyter_server(
    mlops_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    mlops_local_tracking: str,
    mlops_classifier: Any,
    mlops_iris_frame: pd.DataFrame,
) -> None:
    """`jupyter mlops serve models:/name@alias`, the model fetched from a live server, the
    tracking location given by --tracking-uri/--token, then by the environment."""
    import uuid

    monkeypatch.setenv("JUPYTER_MLOPS_TRACKING_URI", mlops_server.url)
    monkeypatch.setenv("JUPYTER_MLOPS_TOKEN", mlops_server.token)
    name = f"served-{uuid.uuid4().hex[:8]}"
    rows = mlops_iris_frame[["sepal", "petals"]]
    import jupyter_mlops as mlops

    with mlops.start_run(experiment=name):
        mlops.log_model(mlops_classifier, "model", rows.head(2), registered_model_name=name)
    client = mlops.MlopsClient(mlops_server.url, mlops_server.token)
    client.set_registered_model_alias(name, "champion", "1")
    client.close()
    expected = {"predictions": mlops_classifier.predict(rows).tolist()}
    payload = {"dataframe_split": rows.to_dict(orient="split", index=False)}

    outside = {"JUPYTER_MLOPS_TRACKING_URI": "", "JUPYTER_MLOPS_TOKEN": ""}
    by_flags = start_server(
        f"models:/{name}@champion",
        outside,
        "--tracking-uri",
        mlops_server.url,
        "--token",
        mlops_server.token,
    )
    try:
        assert by_flags.post(payload).json() == expected
    finally:
        stop_server(by_flags)
    by_environment = start_server(f"models:/{name}/1", mlops_server.client_env)
    try:
        assert by_environment.post(payload).json() == expected
    finally:
        stop_server(by_environment)
