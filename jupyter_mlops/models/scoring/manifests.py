"""Pure builders of the Kubernetes objects of a scoring worker: its pod and its Secret.

A spec in, a manifest out, safe defaults inside: no service-account token, resource
requests and limits always, a non-root user with no privileges and a read-only root file
system (a writable ``/tmp`` emptyDir holds the runtime wheel and the model's files). The
pod's credentials (the model owner's API token and the shared secret every connection
must start with) come from the Secret, never from the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...kube.labels import managed_labels, owner_annotations
from ...pipelines.runtime.bootstrap import ENV_TOKEN, ENV_TRACKING_URI
from ...pipelines.server import manifests as pipeline_manifests
from .pool import WORKER_MODULE
from .worker import ENV_SECRET

COMPONENT = "scoring-worker"
CONTAINER = "worker"
TOKEN_KEY = "token"
SECRET_KEY = "shared-secret"
#: The user the container runs as (images such as python:3.11-slim would run as root).
RUN_AS_USER = 65532
#: Marks the pods (and Secrets) of scoring workers, to find those left behind.
SCORING_LABEL = "mlops.jupyter.org/scoring"
MODEL_VERSION_ANNOTATION = "mlops.jupyter.org/model-version"


@dataclass(frozen=True)
class ScoringPodSpec:
    """What one scoring worker pod is: whose model version, where it runs, with what."""

    name: str  # of the pod and of its Secret
    namespace: str
    owner: str
    model_name: str
    model_version: str
    image: str
    tracking_uri: str  # this server as the pod reaches it
    port: int = 8080
    cpu_request: str = "250m"
    cpu_limit: str = "1"
    memory_request: str = "512Mi"
    memory_limit: str = "2Gi"


def _metadata(spec: ScoringPodSpec) -> dict[str, Any]:
    labels = managed_labels(COMPONENT, spec.owner, spec.model_name)
    labels[SCORING_LABEL] = "worker"
    annotations = owner_annotations(spec.owner, spec.model_name)
    annotations[MODEL_VERSION_ANNOTATION] = spec.model_version
    return {
        "name": spec.name,
        "namespace": spec.namespace,
        "labels": labels,
        "annotations": annotations,
    }


def scoring_command() -> list[str]:
    """The container command: the pipeline steps' bootstrap (it fetches this server's
    runtime wheel with the pod's token when the image lacks jupyter-mlops), told to
    become the scoring worker instead of the step runner."""
    command = pipeline_manifests.runner_command()
    source = command[-1]
    call = source.rindex("\nmain(")
    command[-1] = f"{source[:call]}\nRUNNER_MODULE = {WORKER_MODULE!r}{source[call:]}"
    command[-2] = "mlops-scoring"
    return command


def _secret_env(name: str, secret: str, key: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def build_scoring_pod(spec: ScoringPodSpec) -> dict[str, Any]:
    """The pod that loads ``spec``'s model version and answers on ``spec.port``."""
    container = {
        "name": CONTAINER,
        "image": spec.image,
        "command": scoring_command(),
        "args": [
            f"--model-uri=models:/{spec.model_name}/{spec.model_version}",
            f"--listen=tcp:0.0.0.0:{spec.port}",
            f"--name={spec.model_name}",
            f"--version={spec.model_version}",
        ],
        "env": [
            {"name": ENV_TRACKING_URI, "value": spec.tracking_uri},
            _secret_env(ENV_TOKEN, spec.name, TOKEN_KEY),
            _secret_env(ENV_SECRET, spec.name, SECRET_KEY),
            {"name": "HOME", "value": "/tmp"},
            {"name": "PYTHONUNBUFFERED", "value": "1"},
        ],
        "ports": [{"name": "scoring", "containerPort": spec.port, "protocol": "TCP"}],
        # The worker listens only once its model is loaded.
        "readinessProbe": {
            "tcpSocket": {"port": spec.port},
            "periodSeconds": 2,
            "failureThreshold": 3,
        },
        "resources": {
            "requests": {"cpu": spec.cpu_request, "memory": spec.memory_request},
            "limits": {"cpu": spec.cpu_limit, "memory": spec.memory_limit},
        },
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUN_AS_USER,
            "runAsGroup": RUN_AS_USER,
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": _metadata(spec),
        "spec": {
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "restartPolicy": "Never",
            "securityContext": {"runAsNonRoot": True, "fsGroup": RUN_AS_USER},
            "containers": [container],
            "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "4Gi"}}],
        },
    }


def build_scoring_secret(spec: ScoringPodSpec, token: str, shared_secret: str) -> dict[str, Any]:
    """The pod's Secret: the owner's API token and the connections' shared secret."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": _metadata(spec),
        "type": "Opaque",
        "stringData": {TOKEN_KEY: token, SECRET_KEY: shared_secret},
    }
