"""Notebook servers on Kubernetes and Kubeflow (real client, API emulator) get an API token
of their owner through their Secret: a new one at each start (the Secret is replaced), the
old one revoked; stop and delete revoke it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "notebooks"))
from kube_emulator import KubeEmulator
from notebook_support import make_options

from jupyter_mlops.auth import SqlTokenStore, TokenService
from jupyter_mlops.database.engine import Database
from jupyter_mlops.kube.client import KubeConfig
from jupyter_mlops.notebooks.backends.base import BackendContext, NotebookBackend
from jupyter_mlops.notebooks.backends.kubeflow import KubeflowNotebookBackend
from jupyter_mlops.notebooks.backends.kubernetes import KubernetesNotebookBackend
from jupyter_mlops.notebooks.service import NotebookService
from jupyter_mlops.notebooks.store import SqlNotebookStore

NS = "team"


def _tracking_token(kube: KubeEmulator, secret_name: str) -> str:
    secret = kube.get("v1", "Secret", NS, secret_name)
    assert secret is not None
    value: str = secret["stringData"]["tracking-token"]
    return value


@pytest.mark.parametrize("backend_class", [KubernetesNotebookBackend, KubeflowNotebookBackend])
def test_each_start_gets_a_token_of_the_owner(
    backend_class: type[NotebookBackend],
    mlops_kube: KubeEmulator,
    mlops_notebook_database: Database,
    tmp_path: Path,
) -> None:
    tokens = TokenService(SqlTokenStore(mlops_notebook_database), {"root"})
    backend = backend_class()
    # As the extension wires it: a tracking URL, and no token of its own to hand out.
    backend.setup(
        BackendContext(
            state_dir=tmp_path,
            tracking_url="http://mlops.example:8888/",
            kube=KubeConfig(host=mlops_kube.url),
        )
    )
    service = NotebookService(
        SqlNotebookStore(mlops_notebook_database),
        backend,
        make_options(),
        {"root"},
        namespace=NS,
        tokens=tokens,
    )
    try:
        # An admin spawns a server for Alice: its token acts as Alice.
        server = service.create_server("root", owner="alice", name="box").server
        first = _tracking_token(mlops_kube, server.names.secret)
        found = tokens.authenticate(first)
        assert found is not None and found.owner == "alice"
        assert found.notebook_server == "alice/box"
        documents = service.manifests("root", "alice", "box")
        assert "JUPYTER_MLOPS_TOKEN" in str(documents) and first not in str(documents)

        service.stop_server("alice", "alice", "box")
        assert tokens.authenticate(first) is None

        service.start_server("alice", "alice", "box")
        second = _tracking_token(mlops_kube, server.names.secret)
        assert second != first
        found = tokens.authenticate(second)
        assert found is not None and found.owner == "alice"

        service.delete_server("root", "alice", "box", delete_volume=True)
        assert tokens.authenticate(second) is None
        assert tokens.list_tokens("root").items == []
    finally:
        backend.close()
