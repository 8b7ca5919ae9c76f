"""The host side of the pipeline tests on the Kubernetes API emulator: a tracking store and
artifact root under tmp_path, and the emulator's pods run as real step-runner processes
that reach the store directly (the host runs them), for the kubernetes and argo backends."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from kube_emulator import KubeEmulator, kube_emulator
from kube_emulator.jobs import PodRunner

from jupyter_mlops.pipelines.server.backends.base import PipelineBackend
from jupyter_mlops.tracking.artifacts import LocalArtifactRepository
from jupyter_mlops.tracking.service import TrackingService
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore


class EmulatedCluster:
    """What every emulated cluster shares; a subclass wires ``backend`` and the service."""

    backend: PipelineBackend

    def __init__(self, emulator: KubeEmulator, tmp_path: Path) -> None:
        self.emulator = emulator
        self.user = getpass.getuser()
        self.store_uri = f"sqlite:///{tmp_path / 'store.db'}"
        self.artifact_root = tmp_path / "artifacts"
        self.tracking_store = SqlTrackingStore(self.store_uri)
        self.tracking = TrackingService(
            self.tracking_store, LocalArtifactRepository(self.artifact_root), (self.user,)
        )
        # The pods "reach the server" through the store.
        self.pods = PodRunner(
            emulator,
            env={
                "JUPYTER_MLOPS_TRACKING_URI": self.store_uri,
                "JUPYTER_MLOPS_ARTIFACT_ROOT": str(self.artifact_root),
            },
        )

    def close(self) -> None:
        self.backend.close()
        self.tracking_store.close()


ClusterT = TypeVar("ClusterT", bound=EmulatedCluster)


@contextmanager
def emulated_cluster(
    make_cluster: Callable[[KubeEmulator, Path], ClusterT], tmp_path: Path
) -> Iterator[ClusterT]:
    """A cluster on a fresh API emulator, closed (backend and store) at the end."""
    with kube_emulator() as emulator:
        cluster = make_cluster(emulator, tmp_path)
        try:
            yield cluster
        finally:
            cluster.close()
