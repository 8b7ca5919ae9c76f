"""Fixtures of the registry tests: the registry on the shared database (SQLite and
PostgreSQL through ``mlops_store``), its service with the tracking service, and the REST
fixtures of tests/server (a real jupyter server, responses checked against OpenAPI)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from server_fixtures_support import load_server_fixtures

from jupyter_mlops.client.client import MlopsClient
from jupyter_mlops.registry.service import RegistryService
from jupyter_mlops.registry.store import SqlRegistryStore
from jupyter_mlops.tracking.artifacts import LocalArtifactRepository
from jupyter_mlops.tracking.service import TrackingService
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore

# The REST tests reuse tests/server's fixtures (mlops_api validates every response against
# the OpenAPI document).
_server_fixtures = load_server_fixtures()
mlops_openapi = _server_fixtures.mlops_openapi
mlops_identity_config = _server_fixtures.mlops_identity_config
mlops_extension_config = _server_fixtures.mlops_extension_config
mlops_artifact_root = _server_fixtures.mlops_artifact_root
jp_server_config = _server_fixtures.jp_server_config
mlops_kernel_environment = _server_fixtures.mlops_kernel_environment
mlops_api = _server_fixtures.mlops_api

ADMIN = "root"


@pytest.fixture(params=["sqlite", "rest"])
def mlops_registry_client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MlopsClient]:
    """An explicit client on a fresh SQLite store, or on the session's live server over REST
    (shared by the session: give what you create unique names)."""
    if request.param == "sqlite":
        client = MlopsClient(
            f"sqlite:///{tmp_path / 'store' / 'mlops.db'}", artifact_root=tmp_path / "artifacts"
        )
    else:
        server = request.getfixturevalue("mlops_server")
        client = MlopsClient(server.url, server.token)
    try:
        yield client
    finally:
        client.close()


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
