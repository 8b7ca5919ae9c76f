"""Fixtures of the notebook-server tests: services wired to a backend the way the extension
wires them (on ``mlops_kube`` and ``mlops_notebook_database`` of tests/conftest.py), and
the REST fixtures of tests/server."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kube_emulator import KubeEmulator
from notebook_support import make_options
from server_fixtures_support import load_server_fixtures

from jupyter_mlops.database.engine import Database
from jupyter_mlops.kube.client import KubeConfig
from jupyter_mlops.notebooks.backends.base import BackendContext, NotebookBackend
from jupyter_mlops.notebooks.options import NotebookOptions
from jupyter_mlops.notebooks.service import NotebookService
from jupyter_mlops.notebooks.store import SqlNotebookStore


@pytest.fixture
def mlops_local_pids() -> Iterator[list[int]]:
    """Pids of spawned local servers (their process groups), killed at the end whatever
    happened."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


ServiceFactory = Callable[..., NotebookService]


@pytest.fixture
def mlops_notebook_service(
    mlops_notebook_database: Database, mlops_kube: KubeEmulator, tmp_path: Path
) -> Iterator[ServiceFactory]:
    """``factory(backend_class, options=None, admins=("root",), namespace_template="")``."""
    backends: list[NotebookBackend] = []

    def factory(
        backend_class: type[NotebookBackend],
        options: NotebookOptions | None = None,
        admins: tuple[str, ...] = ("root",),
        namespace_template: str = "",
    ) -> NotebookService:
        backend = backend_class()
        backend.setup(
            BackendContext(
                base_url="/",
                state_dir=tmp_path / "servers",
                tracking_url="http://mlops.example:8888/",
                tracking_token="tracking-secret",
                kube=KubeConfig(host=mlops_kube.url),
                namespace_per_user=bool(namespace_template),
            )
        )
        backends.append(backend)
        return NotebookService(
            SqlNotebookStore(mlops_notebook_database),
            backend,
            options or make_options(),
            admins,
            namespace="team",
            namespace_template=namespace_template,
        )

    yield factory
    for backend in backends:
        backend.close()


# -- REST handler tests: the fixtures of tests/server (a real jupyter server through
# pytest-jupyter, and ``mlops_api``, which validates every exchange against the OpenAPI
# document), loaded under their own module name since both folders have a conftest.py.
_server_fixtures = load_server_fixtures()
mlops_openapi = _server_fixtures.mlops_openapi
mlops_identity_config = _server_fixtures.mlops_identity_config
mlops_extension_config = _server_fixtures.mlops_extension_config
mlops_artifact_root = _server_fixtures.mlops_artifact_root
jp_server_config = _server_fixtures.jp_server_config
mlops_kernel_environment = _server_fixtures.mlops_kernel_environment
mlops_api = _server_fixtures.mlops_api
