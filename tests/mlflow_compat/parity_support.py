"""Helpers of the MLflow parity tests: raw calls to the MLflow-compatible API, and client
scripts that report what MLflow's client raised."""

from __future__ import annotations

import json
import textwrap
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, make_url, text

from tests.conftest import POSTGRES_ADMIN_URI, MlopsServer, run_mlops_server


def call_mlflow_api(
    server: MlopsServer, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any
) -> requests.Response:
    """``method`` on ``api/2.0/mlflow/<path>`` of the server, as its token's owner."""
    url = f"{server.url}mlops/mlflow/api/2.0/mlflow/{path}"
    return requests.request(method, url, headers=headers or server.headers, timeout=30, **kw)


def error_of(response: requests.Response) -> tuple[int, str, str]:
    """(HTTP status, MLflow error code, message) of an error answer."""
    body = response.json()
    return response.status_code, body.get("error_code", ""), body.get("message", "")


_ERR = """
from mlflow.exceptions import MlflowException
def err(fn):
    try:
        fn()
    except MlflowException as e:
        return [e.error_code, str(e.message).removeprefix(e.error_code + ": ")]
    return None
"""


def client_script(code: str) -> str:
    """A client script with ``err(fn)``: [error_code, message] of what fn raises, or None."""
    return _ERR + textwrap.dedent(code)


#: The object store an admin allowed on the parity servers (c.Tracking.external_artifact_stores).
EXTERNAL_STORE = "s3://team-bucket/mlflow/"


@contextmanager
def external_store_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, label: str
) -> Iterator[MlopsServer]:
    """A single-user server (its caller is the admin) allowing EXTERNAL_STORE, on the store
    ``request.param`` names: "sqlite", or "postgresql" (a database of its own, dropped after)."""
    root = tmp_path_factory.mktemp(f"{label}_{request.param}")
    (root / "config").mkdir(parents=True, exist_ok=True)
    config = {"Tracking": {"external_artifact_stores": [EXTERNAL_STORE]}}
    (root / "config" / "jupyter_server_config.json").write_text(json.dumps(config))
    if request.param == "sqlite":
        with run_mlops_server(root) as server:
            yield server
        return
    admin: Engine = request.getfixturevalue("mlops_postgres_admin")
    name = f"mlops_{label}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    uri = make_url(POSTGRES_ADMIN_URI).set(database=name).render_as_string(hide_password=False)
    try:
        with run_mlops_server(root, store_uri=uri) as server:
            yield server
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
