"""Fixtures of the API-token tests: the REST fixtures of tests/server (a real jupyter server
through pytest-jupyter, and ``mlops_api``, which validates every exchange against the
OpenAPI document), loaded under their own module name since both folders have a
conftest.py."""

from __future__ import annotations

from server_fixtures_support import load_server_fixtures

_server_fixtures = load_server_fixtures()
mlops_openapi = _server_fixtures.mlops_openapi
mlops_identity_config = _server_fixtures.mlops_identity_config
mlops_extension_config = _server_fixtures.mlops_extension_config
mlops_artifact_root = _server_fixtures.mlops_artifact_root
jp_server_config = _server_fixtures.jp_server_config
mlops_kernel_environment = _server_fixtures.mlops_kernel_environment
mlops_api = _server_fixtures.mlops_api
