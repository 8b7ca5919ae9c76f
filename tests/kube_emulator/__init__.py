"""A stateful Kubernetes API emulator for tests, on loopback, for the real ``kubernetes``
client. See README.md in this folder for what it serves."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .controllers import (
    default_controllers,
    job_controller,
    kubeflow_notebook_controller,
    pvc_binder,
    statefulset_controller,
)
from .kubelet import Kubelet
from .resources import Resource, ResourceTable
from .server import EmulatorServer
from .state import ApiError, ClusterState

__all__ = [
    "ApiError",
    "ClusterState",
    "KubeEmulator",
    "Kubelet",
    "Resource",
    "ResourceTable",
    "job_controller",
    "kube_emulator",
    "kubeflow_notebook_controller",
    "pvc_binder",
    "statefulset_controller",
]


class KubeEmulator:
    """State + HTTP server + kubelet helper. ``url`` is what the client's host is set to."""

    def __init__(self, *, controllers: list[Any] | None = None, kubeflow: bool = False) -> None:
        self.state = ClusterState()
        for controller in default_controllers() if controllers is None else controllers:
            self.state.add_controller(controller)
        if kubeflow:
            self.state.add_controller(kubeflow_notebook_controller)
        self.server = EmulatorServer(self.state)
        self.url = self.server.url
        self.kubelet = Kubelet(self.state)

    def start(self) -> KubeEmulator:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    # -- conveniences for assertions -------------------------------------------------------
    def get(
        self, api_version: str, kind: str, namespace: str | None, name: str
    ) -> dict[str, Any] | None:
        return self.state.find(self.state.resource(api_version, kind), namespace, name)

    def list(
        self, api_version: str, kind: str, namespace: str | None = None, label_selector: str = ""
    ) -> list[dict[str, Any]]:
        return self.state.list(self.state.resource(api_version, kind), namespace, label_selector)

    def api_client(self) -> Any:
        """A real ``kubernetes.client.ApiClient`` pointed at this emulator."""
        import kubernetes.client

        configuration = kubernetes.client.Configuration()
        configuration.host = self.url
        return kubernetes.client.ApiClient(configuration)


@contextmanager
def kube_emulator(**kwargs: Any) -> Iterator[KubeEmulator]:
    emulator = KubeEmulator(**kwargs).start()
    try:
        yield emulator
    finally:
        emulator.stop()
