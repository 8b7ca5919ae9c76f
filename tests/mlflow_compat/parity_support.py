"""Helpers of the MLflow parity tests: raw calls to the MLflow-compatible API, and client
scripts that report what MLflow's client raised."""

from __future__ import annotations

import textwrap
from typing import Any

import requests

from tests.conftest import MlopsServer


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
