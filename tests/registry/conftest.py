"""Fixtures of the registry tests: the registry on the shared database (SQLite and
PostgreSQL through ``mlops_store``), its service with the tracking service, and the REST
fixtures of tests/server (a real jupyter server, responses checked against OpenAPI)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlops.registry.service import RegistryService
from jupyter_mlops.registry.store import SqlRegistryStore
from jupyter_mlops.tracking.artifacts import LocalArtifactRepository
from jupyter_mlops.tracking.service import TrackingService
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore

# The REST tests reuse tests/server's fixtures (mlops_api validates every response against
# the OpenAPI document). Loaded under a name of its own, so that it never clashes with the
# "conftest" module pytest imports for tests/server itself.
_SERVER_TESTS = Path(__file__).resolve().parent.parent / "server"
if str(_SERVER_TESTS) not in sys.path:
    sys.path.insert(0, str(_SERVER_TESTS))  # for its `import server_support`
_spec = importlib.util.spec_from_file_location(
    "_mlops_server_fixtures", _SERVER_TESTS / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_server_fixtures: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_server_fixtures)

mlops_openapi = _server_fixtures.mlops_openapi
mlops_identity_config = _server_fixtures.mlops_identity_config
mlops_extension_config = _server_fixtures.mlops_extension_config
mlops_artifact_root = _server_fixtures.mlops_artifact_root
jp_server_config = _server_fixtures.jp_server_config
mlops_kernel_environment = _server_fixtures.mlops_kernel_environment
mlops_api = _server_fixtures.mlops_api

ADMIN = "root"


@pytest.fixture
def mlops_registry_artifacts(tmp_path: Path) -> LocalArtifactRepository:
    root = tmp_path / "artifacts"
    root.mkdir()
    return LocalArtifactRepository(root)


@pytest.fixture
def mlops_registry_service(
    mlops_store: SqlTrackingStore, mlops_registry_artifacts: LocalArtifactRepository
) -> Iterator[RegistryService]:
    """A RegistryService (admin: "root") on SQLite and on PostgreSQL."""
    tracking = TrackingService(mlops_store, mlops_registry_artifacts, admin_users={ADMIN})
    yield RegistryService(SqlRegistryStore(mlops_store.database), tracking)


@pytest.fixture
def mlops_registry_store(mlops_registry_service: RegistryService) -> SqlRegistryStore:
    return mlops_registry_service.store
