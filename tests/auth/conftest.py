"""Fixtures of the API-token tests: the REST fixtures of tests/server (a real jupyter server
through pytest-jupyter, and ``mlops_api``, which validates every exchange against the
OpenAPI document), loaded under their own module name since both folders have a
conftest.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any


def _load_server_fixtures() -> Any:
    folder = Path(__file__).resolve().parent.parent / "server"
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location("mlops_server_fixtures", folder / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_server_fixtures = _load_server_fixtures()
mlops_openapi = _server_fixtures.mlops_openapi
mlops_identity_config = _server_fixtures.mlops_identity_config
mlops_extension_config = _server_fixtures.mlops_extension_config
mlops_artifact_root = _server_fixtures.mlops_artifact_root
jp_server_config = _server_fixtures.jp_server_config
mlops_kernel_environment = _server_fixtures.mlops_kernel_environment
mlops_api = _server_fixtures.mlops_api
