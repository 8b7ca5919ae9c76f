"""The real ``mlflow`` client against a real jupyter server's MLflow-compatible API.

The client runs in a subprocess (``mlops_mlflow``): MLflow keeps process-wide state
(active runs, the tracking URI, cached server info) and warns on import, which
``filterwarnings=error`` would turn into failures here. The subprocess gets the tracking
URI and the jupyter token through MLflow's own environment variables, with retries off
so that a wrong status fails at once instead of after minutes of back-off.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, make_url, text

from tests.conftest import POSTGRES_ADMIN_URI, MlopsServer, run_mlops_server

pytest.importorskip("mlflow", reason="the mlflow client is a test extra")

RESULT_MARK = "MLOPS-RESULT:"


class MlflowClientRunner:
    """Runs Python snippets with MLflow's client pointed at the server."""

    def __init__(self, server: MlopsServer, workdir: Path) -> None:
        self.server = server
        self.workdir = workdir
        self.tracking_uri = server.url + "mlops/mlflow"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        env.update(
            MLFLOW_TRACKING_URI=self.tracking_uri,
            MLFLOW_TRACKING_TOKEN=self.server.token,
            MLFLOW_HTTP_REQUEST_MAX_RETRIES="0",
            MLFLOW_HTTP_REQUEST_TIMEOUT="30",
            MLFLOW_ENABLE_ASYNC_LOGGING="false",
            GIT_PYTHON_REFRESH="quiet",
            PYTHONWARNINGS="ignore",
            MPLBACKEND="Agg",
        )
        return env

    def run(self, code: str, timeout: float = 180) -> Any:
        """Run ``code``; it calls ``result(value)`` once; the JSON value is returned."""
        prelude = (
            "import json, sys\n"
            f"def result(value):\n    print({RESULT_MARK!r} + json.dumps(value), flush=True)\n"
        )
        script = prelude + textwrap.dedent(code)
        completed = subprocess.run(
            [sys.executable, "-c", script],
            env=self.env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        for line in completed.stdout.splitlines():
            if line.startswith(RESULT_MARK):
                return json.loads(line[len(RESULT_MARK) :])
        pytest.fail(
            f"the mlflow client script failed ({completed.returncode}):\n"
            f"{completed.stdout[-3000:]}\n{completed.stderr[-6000:]}\n"
            f"server log:\n{self.server.log_tail()}"
        )


@pytest.fixture(scope="session")
def mlops_mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlopsServer]:
    with run_mlops_server(tmp_path_factory.mktemp("mlflow_server")) as server:
        yield server


@pytest.fixture(scope="session")
def mlops_mlflow_server_postgres(
    tmp_path_factory: pytest.TempPathFactory, mlops_postgres_admin: Engine
) -> Iterator[MlopsServer]:
    """The same server on a PostgreSQL database of its own (the store tests empty theirs)."""
    name = f"mlops_mlflow_{uuid.uuid4().hex[:12]}"
    with mlops_postgres_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    uri = make_url(POSTGRES_ADMIN_URI).set(database=name).render_as_string(hide_password=False)
    try:
        root = tmp_path_factory.mktemp("mlflow_server_postgres")
        with run_mlops_server(root, store_uri=uri) as server:
            yield server
    finally:
        with mlops_postgres_admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite"])
def mlflow_store_backend(request: pytest.FixtureRequest) -> str:
    """The store behind the server; tests that must hold on both parametrize it
    indirectly with ``STORE_BACKENDS``."""
    backend: str = request.param
    return backend


@pytest.fixture
def mlops_mlflow(
    request: pytest.FixtureRequest, mlflow_store_backend: str, tmp_path: Path
) -> MlflowClientRunner:
    fixture = {"sqlite": "mlops_mlflow_server", "postgresql": "mlops_mlflow_server_postgres"}
    server: MlopsServer = request.getfixturevalue(fixture[mlflow_store_backend])
    return MlflowClientRunner(server, tmp_path)
