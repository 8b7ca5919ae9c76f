"""Pure builders of the Kubernetes objects of a notebook server.

A spec and the stored names in, manifests (plain dicts) out. Safe defaults inside: no
service-account token mounted, resource requests and limits always set, the notebook token
from a Secret (never in the pod spec), a TCP readiness probe (``/api/status`` needs the
token). Tests check every manifest against the official schemas (kubernetes-validate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..kube.labels import managed_labels, owner_annotations
from .entities import NotebookServerSpec, ObjectNames

COMPONENT = "notebook-server"
CONTAINER = "notebook"
PORT = 8888
SERVER_LABEL = "mlops.jupyter.org/server"
STOP_ANNOTATION = "kubeflow-resource-stopped"
NOTEBOOK_TOKEN_KEY = "notebook-token"
TRACKING_TOKEN_KEY = "tracking-token"


@dataclass(frozen=True)
class ServerIdentity:
    owner: str
    name: str
    names: ObjectNames
    #: The URL path the server is reached at through our proxy (its base_url).
    prefix: str
    #: Where runs logged in the server go ("" = nowhere configured).
    tracking_url: str = ""
    has_tracking_token: bool = False
    service_account: str = ""


def labels(ident: ServerIdentity) -> dict[str, str]:
    return {
        **managed_labels(COMPONENT, ident.owner, ident.name),
        SERVER_LABEL: ident.names.workload,
    }


def _metadata(ident: ServerIdentity, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "namespace": ident.names.namespace,
        "labels": labels(ident),
        "annotations": owner_annotations(ident.owner, ident.name),
    }


def _resources(spec: NotebookServerSpec) -> dict[str, Any]:
    requests: dict[str, str] = {"cpu": spec.cpu_request, "memory": spec.memory_request}
    limits: dict[str, str] = {"cpu": spec.cpu_limit, "memory": spec.memory_limit}
    if spec.gpus:
        # Extended resources: the request must equal the limit.
        requests[spec.gpu_resource] = str(spec.gpus)
        limits[spec.gpu_resource] = str(spec.gpus)
    return {"requests": requests, "limits": limits}


def _env(
    spec: NotebookServerSpec, ident: ServerIdentity, *, kubeflow: bool
) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in sorted(spec.env.items())]
    env.append(
        {
            "name": "JUPYTER_TOKEN",
            "valueFrom": {"secretKeyRef": {"name": ident.names.secret, "key": NOTEBOOK_TOKEN_KEY}},
        }
    )
    if kubeflow:
        # Kubeflow's images start Jupyter with --ServerApp.base_url=$NB_PREFIX; ours is the
        # path our proxy serves, so that pages load through it.
        env.append({"name": "NB_PREFIX", "value": ident.prefix.rstrip("/")})
    if ident.tracking_url:
        env.append({"name": "JUPYTER_MLOPS_TRACKING_URI", "value": ident.tracking_url})
    if ident.has_tracking_token:
        env.append(
            {
                "name": "JUPYTER_MLOPS_TOKEN",
                "valueFrom": {
                    "secretKeyRef": {"name": ident.names.secret, "key": TRACKING_TOKEN_KEY}
                },
            }
        )
    env.append({"name": "JUPYTER_MLOPS_NOTEBOOK_SERVER", "value": f"{ident.owner}/{ident.name}"})
    return env


def pod_spec(
    spec: NotebookServerSpec, ident: ServerIdentity, *, kubeflow: bool = False
) -> dict[str, Any]:
    """The pod spec of the server's single container (the StatefulSet's or Notebook's)."""
    workspace_claim = spec.workspace.existing_claim or ident.names.pvc
    mounts: list[dict[str, Any]] = [{"name": "workspace", "mountPath": spec.workspace.mount_path}]
    volumes: list[dict[str, Any]] = [
        {"name": "workspace", "persistentVolumeClaim": {"claimName": workspace_claim}}
    ]
    for index, volume in enumerate(spec.data_volumes):
        name = f"data-{index}"
        mounts.append({"name": name, "mountPath": volume.mount_path, "readOnly": volume.read_only})
        volumes.append(
            {
                "name": name,
                "persistentVolumeClaim": {
                    "claimName": volume.claim_name,
                    "readOnly": volume.read_only,
                },
            }
        )
    if spec.shm_size:
        mounts.append({"name": "dshm", "mountPath": "/dev/shm"})
        volumes.append(
            {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": spec.shm_size}}
        )
    container: dict[str, Any] = {
        # Kubeflow reads the container state from the container named like the Notebook.
        "name": ident.names.workload if kubeflow else CONTAINER,
        "image": spec.image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": "notebook-port", "containerPort": PORT, "protocol": "TCP"}],
        "env": _env(spec, ident, kubeflow=kubeflow),
        "resources": _resources(spec),
        "volumeMounts": mounts,
        "workingDir": spec.workspace.mount_path,
        "readinessProbe": {
            "tcpSocket": {"port": PORT},
            "periodSeconds": 2,
            "failureThreshold": 3,
        },
    }
    if not kubeflow:
        # The Jupyter Docker Stacks entry point. The token stays in the environment
        # (JUPYTER_TOKEN, which jupyter_server reads): an argument would be expanded by the
        # kubelet into the process's command line, which every process on the node reads.
        container["args"] = [
            "start-notebook.py",
            "--ServerApp.ip=0.0.0.0",
            f"--ServerApp.port={PORT}",
            f"--ServerApp.base_url={ident.prefix}",
            "--ServerApp.allow_origin=*",
        ]
    result: dict[str, Any] = {
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": {"fsGroup": 100},
        "containers": [container],
        "volumes": volumes,
    }
    if ident.service_account:
        result["serviceAccountName"] = ident.service_account
    if spec.node_selector:
        result["nodeSelector"] = dict(spec.node_selector)
    if spec.tolerations:
        result["tolerations"] = [
            {
                k: v
                for k, v in (
                    ("key", t.key),
                    ("operator", t.operator),
                    ("value", t.value),
                    ("effect", t.effect),
                )
                if v
            }
            for t in spec.tolerations
        ]
    return result


def build_statefulset(
    spec: NotebookServerSpec, ident: ServerIdentity, *, replicas: int = 1
) -> dict[str, Any]:
    """One replica (0 when stopped); pod ``<workload>-0``; the volume outlives the pod."""
    selector = {SERVER_LABEL: ident.names.workload}
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": _metadata(ident, ident.names.workload),
        "spec": {
            "replicas": replicas,
            "serviceName": ident.names.workload,
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {
                    "labels": labels(ident),
                    "annotations": owner_annotations(ident.owner, ident.name),
                },
                "spec": pod_spec(spec, ident),
            },
        },
    }


def build_service(ident: ServerIdentity) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(ident, ident.names.workload),
        "spec": {
            "type": "ClusterIP",
            "selector": {SERVER_LABEL: ident.names.workload},
            "ports": [
                {
                    "name": "http-notebook",
                    "port": 80,
                    "targetPort": "notebook-port",
                    "protocol": "TCP",
                }
            ],
        },
    }


def build_pvc(spec: NotebookServerSpec, ident: ServerIdentity) -> dict[str, Any]:
    body: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": spec.workspace.size}},
    }
    if spec.workspace.storage_class:
        body["storageClassName"] = spec.workspace.storage_class
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": _metadata(ident, ident.names.pvc),
        "spec": body,
    }


def build_secret(
    ident: ServerIdentity, notebook_token: str, tracking_token: str = ""
) -> dict[str, Any]:
    data = {NOTEBOOK_TOKEN_KEY: notebook_token}
    if tracking_token:
        data[TRACKING_TOKEN_KEY] = tracking_token
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _metadata(ident, ident.names.secret),
        "type": "Opaque",
        "stringData": data,
    }


def build_notebook(
    spec: NotebookServerSpec, ident: ServerIdentity, *, stopped: bool = False
) -> dict[str, Any]:
    """A Kubeflow ``kubeflow.org/v1`` Notebook: its controller makes the StatefulSet and
    Service, applies PodDefaults selected by labels, and routes; stopped by annotation."""
    metadata = _metadata(ident, ident.names.workload)
    metadata["annotations"]["notebooks.kubeflow.org/server-type"] = "jupyter"
    if stopped:
        metadata["annotations"][STOP_ANNOTATION] = stop_timestamp()
    return {
        "apiVersion": "kubeflow.org/v1",
        "kind": "Notebook",
        "metadata": metadata,
        "spec": {
            "template": {"spec": pod_spec(spec, ident, kubeflow=True)},
        },
    }


def build_namespace(namespace: str, owner: str) -> dict[str, Any]:
    """A user's own namespace (with ``NotebookServers.namespace_template``)."""
    owned = managed_labels("namespace", owner, "")
    owned.pop("mlops.jupyter.org/name")
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": namespace,
            "labels": owned,
            "annotations": {"mlops.jupyter.org/owner": owner},
        },
    }


def stop_timestamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def redact_secret(manifest: dict[str, Any]) -> dict[str, Any]:
    """A Secret manifest fit to show: keys kept, values hidden."""
    if manifest.get("kind") != "Secret":
        return manifest
    shown = dict(manifest)
    shown["stringData"] = {k: "<redacted>" for k in manifest.get("stringData", {})}
    return shown
