"""The Kubernetes backend through the service, with the real ``kubernetes`` client against
the API emulator, and the kubelet helper moving the pod through what users meet."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from kube_emulator import KubeEmulator
from notebook_support import stored_server_row

from jupyter_mlops.kube.labels import MANAGED_BY_LABEL, OWNER_LABEL
from jupyter_mlops.notebooks.backends.kubernetes import KubernetesNotebookBackend
from jupyter_mlops.notebooks.entities import ServerStatus
from jupyter_mlops.sealed import Sealer

NS = "team"


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_spawn_progress_stop_edit_start_delete(
    mlops_notebook_service: Any, mlops_kube: KubeEmulator
) -> None:
    service = mlops_notebook_service(KubernetesNotebookBackend)
    names = _created_with_its_objects(service, mlops_kube)
    pod = f"{names.workload}-0"
    _waits_for_a_node_then_runs(service, mlops_kube, pod)
    _stops_keeping_the_volume(service, mlops_kube, names, pod)
    _edit_applies_at_the_next_start(service, mlops_kube, names, pod)
    _deleted_keeping_the_volume_then_without(service, mlops_kube, names, pod)


def _created_with_its_objects(service: Any, kube: KubeEmulator) -> Any:
    """Given a created server, its objects exist with our labels and stored names."""
    server = service.create_server("alice", name="work", cpu="1", memory="2Gi").server
    names = server.names
    sts = kube.get("apps/v1", "StatefulSet", NS, names.workload)
    assert sts is not None and sts["spec"]["replicas"] == 1
    assert sts["metadata"]["labels"][MANAGED_BY_LABEL] == "jupyter-mlops"
    assert sts["metadata"]["labels"][OWNER_LABEL] == "alice"
    assert kube.get("v1", "Service", NS, names.workload) is not None
    assert kube.get("v1", "PersistentVolumeClaim", NS, names.pvc) is not None
    secret = kube.get("v1", "Secret", NS, names.secret)
    assert secret is not None and set(secret["stringData"]) == {"notebook-token", "tracking-token"}
    container = sts["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["requests"] == {"cpu": "1", "memory": "2Gi"}
    env = _env(container)
    assert env["JUPYTER_MLOPS_TRACKING_URI"] == "http://mlops.example:8888/"
    assert env["JUPYTER_MLOPS_TOKEN"] == {
        "secretKeyRef": {"name": names.secret, "key": "tracking-token"}
    }
    assert "--ServerApp.base_url=/mlops/servers/alice/work/" in container["args"]
    assert server.status == ServerStatus.PENDING
    return names


def _waits_for_a_node_then_runs(service: Any, kube: KubeEmulator, pod: str) -> None:
    # When the scheduler finds no node: Pending, with the scheduler's message.
    kube.kubelet.unschedulable(NS, pod, "0/3 nodes are available: 3 Insufficient memory.")
    server = service.get_server("alice", "alice", "work").server
    assert (server.status, server.reason) == (ServerStatus.PENDING, "Unschedulable")
    assert "Insufficient memory" in server.message

    # Then it runs; the events tell the story in order, and the cursor moves on.
    kube.kubelet.run(NS, pod, log="[I ServerApp] Jupyter Server is running\n")
    progress = service.events("alice", "alice", "work", since=0)
    server, events = progress.server.server, progress.events
    assert server.status == ServerStatus.RUNNING
    reasons = [e.reason for e in events]
    for expected in (
        "Created",
        "Requested",
        "FailedScheduling",
        "Scheduled",
        "Pulling",
        "Started",
        "Ready",
    ):
        assert expected in reasons, (expected, reasons)
    assert reasons.index("Scheduled") < reasons.index("Ready")
    cursor = progress.cursor
    assert cursor == events[-1].id
    assert service.events("alice", "alice", "work", since=cursor).events == []
    assert "Jupyter Server is running" in service.logs("alice", "alice", "work", tail=10)


def _stops_keeping_the_volume(service: Any, kube: KubeEmulator, names: Any, pod: str) -> None:
    """Stop scales to 0 and keeps the volume."""
    server = service.stop_server("alice", "alice", "work").server
    assert server.status == ServerStatus.STOPPED
    assert kube.get("apps/v1", "StatefulSet", NS, names.workload)["spec"]["replicas"] == 0
    assert kube.get("v1", "Pod", NS, pod) is None
    assert kube.get("v1", "PersistentVolumeClaim", NS, names.pvc) is not None


def _edit_applies_at_the_next_start(service: Any, kube: KubeEmulator, names: Any, pod: str) -> None:
    """An edit applies at the next start, without losing the workspace."""
    service.update_server(
        "alice",
        "alice",
        "work",
        image="quay.io/jupyter/pytorch-notebook:cuda12-2025-03-14",
        gpus=1,
    )
    service.start_server("alice", "alice", "work")
    sts = kube.get("apps/v1", "StatefulSet", NS, names.workload)
    container = sts["spec"]["template"]["spec"]["containers"][0]
    assert sts["spec"]["replicas"] == 1
    assert container["image"].startswith("quay.io/jupyter/pytorch-notebook")
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert kube.get("v1", "Pod", NS, pod)["spec"]["containers"][0]["image"] == container["image"]
    assert kube.get("v1", "PersistentVolumeClaim", NS, names.pvc) is not None


def _deleted_keeping_the_volume_then_without(
    service: Any, kube: KubeEmulator, names: Any, pod: str
) -> None:
    """Delete keeping the volume, then a server of the same name finds it again."""
    service.delete_server("alice", "alice", "work", delete_volume=False)
    assert kube.get("apps/v1", "StatefulSet", NS, names.workload) is None
    assert kube.get("v1", "Pod", NS, pod) is None  # garbage-collected with its owner
    assert kube.get("v1", "PersistentVolumeClaim", NS, names.pvc) is not None
    again = service.create_server("alice", name="work", start=False).server
    assert again.names.pvc == names.pvc
    service.delete_server("alice", "alice", "work", delete_volume=True)
    assert kube.get("v1", "PersistentVolumeClaim", NS, names.pvc) is None


def test_failure_reasons(mlops_notebook_service: Any, mlops_kube: KubeEmulator) -> None:
    service = mlops_notebook_service(KubernetesNotebookBackend)
    kubelet = mlops_kube.kubelet
    cases = {
        "pull": (kubelet.image_pull_backoff, "ImagePullBackOff"),
        "oom": (kubelet.oom_killed, "OOMKilled"),
        "crash": (kubelet.crash_loop, "CrashLoopBackOff"),
        "oomloop": (
            lambda ns, p: kubelet.crash_loop(ns, p, reason="OOMKilled", exit_code=137),
            "OOMKilled",
        ),
    }
    for name, (move, reason) in cases.items():
        server = service.create_server("bob", name=name).server
        move(NS, f"{server.names.workload}-0")
        progress = service.events("bob", "bob", name)
        server, events = progress.server.server, progress.events
        assert (server.status, server.reason) == (ServerStatus.FAILED, reason), name
        assert events[-1].type == "Warning" and reason in events[-1].message


def test_restart_of_our_server_reconciles(
    mlops_notebook_service: Any, mlops_kube: KubeEmulator
) -> None:
    service = mlops_notebook_service(KubernetesNotebookBackend)
    running = service.create_server("alice", name="one").server
    service.create_server("alice", name="two")
    mlops_kube.kubelet.run(NS, f"{running.names.workload}-0")
    # While we were down, someone scaled "two" to 0 by hand.
    mlops_kube.state.patch(
        mlops_kube.state.resource("apps/v1", "StatefulSet"),
        NS,
        f"{service.store.get('alice', 'two').names.workload}",
        {"spec": {"replicas": 0}},
        "application/merge-patch+json",
    )

    restarted = mlops_notebook_service(KubernetesNotebookBackend)
    counts = restarted.reconcile()
    assert counts == {"Running": 1, "Stopped": 1}
    assert restarted.store.get("alice", "one").status == ServerStatus.RUNNING


def test_namespace_per_user(mlops_notebook_service: Any, mlops_kube: KubeEmulator) -> None:
    service = mlops_notebook_service(
        KubernetesNotebookBackend, namespace_template="mlops-{username}"
    )
    server = service.create_server("Carol@Example.com", name="lab").server
    namespace = server.names.namespace
    assert namespace.startswith("mlops-carol-example-com---")
    assert mlops_kube.get("v1", "Namespace", None, namespace) is not None
    assert mlops_kube.get("apps/v1", "StatefulSet", namespace, server.names.workload) is not None


def test_manifest_shows_no_secret(mlops_notebook_service: Any, mlops_kube: KubeEmulator) -> None:
    service = mlops_notebook_service(KubernetesNotebookBackend)
    service.create_server("alice", name="work")
    documents = service.manifests("alice", "alice", "work")
    assert [d["kind"] for d in documents] == [
        "Secret",
        "PersistentVolumeClaim",
        "Service",
        "StatefulSet",
    ]
    token = mlops_kube.get("v1", "Secret", NS, documents[0]["metadata"]["name"])["stringData"]
    assert all(v == "<redacted>" for v in documents[0]["stringData"].values())
    assert token["notebook-token"] not in str(documents)


def test_the_token_is_stored_sealed_and_kept_across_starts(
    mlops_notebook_service: Any, mlops_kube: KubeEmulator, tmp_path: Path
) -> None:
    service = mlops_notebook_service(KubernetesNotebookBackend)
    backend, database = service.backend, tmp_path / "db" / "mlops.db"
    server = service.create_server("alice", name="work").server

    def secret_token() -> str:
        secret = mlops_kube.get("v1", "Secret", NS, server.names.secret)
        return str(secret["stringData"]["notebook-token"])

    def row() -> str:
        return repr(stored_server_row(database, "alice", "work"))

    def upstream_token() -> str:
        return str(backend.upstream(service.store.get("alice", "work")).token)

    # The Secret holds the token; our database only its sealed form.
    token = secret_token()
    assert token not in row() and "sealed:" in row()
    assert upstream_token() == token

    # A record an older version wrote in plain text still works, and is sealed on refresh.
    legacy = service.store.get("alice", "work")
    legacy.runtime = {**legacy.runtime, "token": token}
    service.store.save(legacy)
    assert token in row() and upstream_token() == token
    service.reconcile()
    assert token not in row() and upstream_token() == token

    # A restart keeps the token (the pod reads the same Secret), sealed anew.
    service.stop_server("alice", "alice", "work")
    service.start_server("alice", "alice", "work")
    assert secret_token() == token and token not in row() and upstream_token() == token

    # Sealed with another key (crypt_key changed): nobody can read it, so the next start
    # makes a new token and replaces the Secret's.
    service.stop_server("alice", "alice", "work")
    foreign = service.store.get("alice", "work")
    other_key = Sealer(Fernet.generate_key().decode("ascii"))
    foreign.runtime = {**foreign.runtime, "token": other_key.seal(token)}
    service.store.save(foreign)
    service.start_server("alice", "alice", "work")
    renewed = secret_token()
    assert renewed != token and upstream_token() == renewed
    assert renewed not in row()
    assert json.loads(stored_server_row(database, "alice", "work")["runtime"])["token"].startswith(
        "sealed:"
    )
