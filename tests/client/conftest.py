"""Fixtures of the client tests: the same test runs against the direct SQLite transport
and against a real jupyter server over REST, configured the way users configure it
(environment variables), with the fluent API's state reset around each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from client_support import Tracking
from fluent_support import forget_fluent_state

import jupyter_mlops as mlops


@pytest.fixture(autouse=True)
def mlops_fluent_state() -> Iterator[None]:
    """Every client test starts and ends with no active run, URI or cached client."""
    forget_fluent_state()
    yield
    forget_fluent_state()


@pytest.fixture(params=["sqlite", "rest"])
def mlops_tracking(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Tracking]:
    """Point the fluent API (through JUPYTER_MLOPS_* variables) at a fresh SQLite store,
    or at the session's live server, and hand out an explicit client for checking."""
    for name in (
        "JUPYTER_MLOPS_TRACKING_URI",
        "JUPYTER_MLOPS_TOKEN",
        "JUPYTER_MLOPS_ARTIFACT_ROOT",
    ):
        monkeypatch.delenv(name, raising=False)
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path / 'store' / 'mlops.db'}"
        monkeypatch.setenv("JUPYTER_MLOPS_ARTIFACT_ROOT", str(tmp_path / "artifacts"))
        token = None
    else:
        server = request.getfixturevalue("mlops_server")
        uri, token = server.url, server.token
        monkeypatch.setenv("JUPYTER_MLOPS_TOKEN", token)
    monkeypatch.setenv("JUPYTER_MLOPS_TRACKING_URI", uri)
    client = mlops.MlopsClient(uri, token)
    try:
        yield Tracking(request.param, uri, client)
    finally:
        client.close()
