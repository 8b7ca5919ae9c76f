"""The Kubeflow backend: a ``kubeflow.org/v1`` Notebook per server; the (emulated)
notebook controller makes the StatefulSet; stop is its annotation."""

from __future__ import annotations

from typing import Any

from kube_emulator import KubeEmulator

from jupyter_mlops.notebooks.backends.kubeflow import KubeflowNotebookBackend
from jupyter_mlops.notebooks.entities import ServerStatus
from jupyter_mlops.notebooks.manifests import STOP_ANNOTATION

NS = "team"


def test_notebook_lifecycle(mlops_notebook_service: Any, mlops_kube: KubeEmulator) -> None:
    service = mlops_notebook_service(KubeflowNotebookBackend)
    server = service.create_server("alice", name="work").server
    workload = server.names.workload
    notebook = mlops_kube.get("kubeflow.org/v1", "Notebook", NS, workload)
    assert notebook is not None
    assert notebook["spec"]["template"]["spec"]["containers"][0]["name"] == workload
    assert mlops_kube.get("apps/v1", "StatefulSet", NS, workload)["spec"]["replicas"] == 1
    assert mlops_kube.get("v1", "PersistentVolumeClaim", NS, server.names.pvc) is not None

    mlops_kube.kubelet.image_pull_backoff(NS, f"{workload}-0")
    progress = service.events("alice", "alice", "work")
    server, events = progress.server.server, progress.events
    assert (server.status, server.reason) == (ServerStatus.FAILED, "ImagePullBackOff")
    # Events come re-issued on the Notebook (not twice from the pod).
    assert any(
        e.message.startswith("Notebook ") and "Reissued from pod" in e.message for e in events
    )
    assert not any(e.message.startswith("Pod ") for e in events)

    mlops_kube.kubelet.run(NS, f"{workload}-0")
    assert (
        service.get_server("alice", "alice", "work").server.status == ServerStatus.FAILED
    )  # not transitional
    server = service.events("alice", "alice", "work").server.server
    assert server.status == ServerStatus.RUNNING

    stopped = service.stop_server("alice", "alice", "work").server
    assert stopped.status == ServerStatus.STOPPED
    notebook = mlops_kube.get("kubeflow.org/v1", "Notebook", NS, workload)
    assert STOP_ANNOTATION in notebook["metadata"]["annotations"]
    assert mlops_kube.get("apps/v1", "StatefulSet", NS, workload)["spec"]["replicas"] == 0

    service.update_server("alice", "alice", "work", memory="4Gi")
    service.start_server("alice", "alice", "work")
    notebook = mlops_kube.get("kubeflow.org/v1", "Notebook", NS, workload)
    assert STOP_ANNOTATION not in notebook["metadata"]["annotations"]
    container = notebook["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["requests"]["memory"] == "4Gi"
    assert mlops_kube.get("v1", "Pod", NS, f"{workload}-0") is not None

    service.delete_server("alice", "alice", "work", delete_volume=False)
    assert mlops_kube.get("kubeflow.org/v1", "Notebook", NS, workload) is None
    assert mlops_kube.get("apps/v1", "StatefulSet", NS, workload) is None
    assert mlops_kube.get("v1", "PersistentVolumeClaim", NS, server.names.pvc) is not None


def test_without_the_crd_the_server_fails_with_the_reason(
    mlops_notebook_service: Any, mlops_kube: KubeEmulator
) -> None:
    for version in ("v1", "v1beta1"):
        mlops_kube.state.resources.unregister("kubeflow.org", version, "notebooks")
    service = mlops_notebook_service(KubeflowNotebookBackend)
    server = service.create_server("alice", name="work").server
    assert (server.status, server.reason) == (ServerStatus.FAILED, "StartFailed")
    assert "Notebook CRD is not available" in server.message
    events = service.events("alice", "alice", "work").events
    assert events[-1].type == "Warning" and "Notebook CRD" in events[-1].message
