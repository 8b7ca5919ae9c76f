"""Every manifest we generate validates against the official Kubernetes schemas (strict:
no unknown fields), and says who owns what."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest

from jupyter_mlops.kube.labels import MANAGED_BY_LABEL, NAME_LABEL, OWNER_LABEL
from jupyter_mlops.notebooks.entities import (
    DataVolume,
    NotebookServerSpec,
    Toleration,
    WorkspaceVolume,
)
from jupyter_mlops.notebooks.manifests import (
    STOP_ANNOTATION,
    ServerIdentity,
    build_namespace,
    build_notebook,
    build_pvc,
    build_secret,
    build_service,
    build_statefulset,
)
from jupyter_mlops.notebooks.naming import compute_names

VERSION = kubernetes_validate.latest_version()

FULL = NotebookServerSpec(
    image="quay.io/jupyter/pytorch-notebook:cuda12-2025-03-14",
    cpu_request="2",
    cpu_limit="4",
    memory_request="8Gi",
    memory_limit="16Gi",
    gpus=2,
    gpu_resource="nvidia.com/gpu",
    profile="gpu",
    workspace=WorkspaceVolume(size="20Gi", storage_class="fast"),
    data_volumes=(
        DataVolume("datasets", "/data", read_only=True),
        DataVolume("scratch", "/scratch"),
    ),
    env={"HF_HOME": "/data/hf"},
    node_selector={"accelerator": "h100"},
    tolerations=(
        Toleration("nvidia.com/gpu", "Exists", "", "NoSchedule"),
        Toleration("pool", "Equal", "gpu"),
    ),
    shm_size="4Gi",
    cull_idle_seconds=600,
)
MINIMAL = NotebookServerSpec(
    image="quay.io/jupyter/scipy-notebook:2025-03-14",
    cpu_request="500m",
    cpu_limit="500m",
    memory_request="1Gi",
    memory_limit="1Gi",
    workspace=WorkspaceVolume(existing_claim="home-alice"),
)


def identity(owner: str = "user@example.com", name: str = "Deep Learning") -> ServerIdentity:
    return ServerIdentity(
        owner=owner,
        name=name,
        names=compute_names(owner, name, "team", ""),
        prefix="/base/mlops/servers/user%40example.com/Deep%20Learning/",
        tracking_url="http://mlops.team.svc:8888/base/",
        has_tracking_token=True,
        service_account="notebooks",
    )


def _valid(manifest: dict[str, Any]) -> None:
    kubernetes_validate.validate(manifest, VERSION, strict=True)


@pytest.mark.parametrize("spec", [FULL, MINIMAL], ids=["full", "minimal"])
def test_standalone_manifests_validate(spec: NotebookServerSpec) -> None:
    ident = identity()
    for manifest in (
        build_statefulset(spec, ident),
        build_statefulset(spec, ident, replicas=0),
        build_service(ident),
        build_pvc(spec, ident),
        build_secret(ident, "nb-token", "tracking-token"),
    ):
        _valid(manifest)
        labels = manifest["metadata"]["labels"]
        assert labels[MANAGED_BY_LABEL] == "jupyter-mlops"
        assert labels[OWNER_LABEL].startswith("user-example-com---")
        assert labels[NAME_LABEL].startswith("deep-learning---")
        assert manifest["metadata"]["annotations"]["mlops.jupyter.org/owner"] == "user@example.com"


def test_namespace_of_a_user_validates() -> None:
    names = compute_names("Carol@Example.com", "lab", "default", "mlops-{username}")
    namespace = build_namespace(names.namespace, "Carol@Example.com")
    _valid(namespace)
    assert namespace["metadata"]["labels"][OWNER_LABEL].startswith("carol-example-com---")


def test_kubeflow_notebook_pod_spec_validates() -> None:
    # The Notebook CRD is not in the official schemas; its spec.template.spec is a PodSpec.
    ident = identity()
    notebook = build_notebook(FULL, ident, stopped=True)
    assert notebook["apiVersion"] == "kubeflow.org/v1" and notebook["kind"] == "Notebook"
    assert STOP_ANNOTATION in notebook["metadata"]["annotations"]
    pod_spec = notebook["spec"]["template"]["spec"]
    assert pod_spec["containers"][0]["name"] == ident.names.workload  # Kubeflow requires it
    env = {e["name"]: e.get("value") for e in pod_spec["containers"][0]["env"]}
    assert env["NB_PREFIX"] == "/base/mlops/servers/user%40example.com/Deep%20Learning"
    _valid({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "check"}, "spec": pod_spec})
    _valid(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": notebook["metadata"] | {"namespace": "team"},
            "spec": pod_spec,
        }
    )


def test_safe_defaults() -> None:
    sts = build_statefulset(FULL, identity())
    pod = sts["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert pod["automountServiceAccountToken"] is False
    assert container["resources"]["limits"] == {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "2"}
    assert container["resources"]["requests"]["nvidia.com/gpu"] == "2"
    # The token comes from the Secret, never written into the pod spec.
    token = next(e for e in container["env"] if e["name"] == "JUPYTER_TOKEN")
    assert token["valueFrom"]["secretKeyRef"]["key"] == "notebook-token"
    # ... and stays in the environment: an argument would be on the process's command line.
    assert not [arg for arg in container["args"] if "token" in arg.lower()], container["args"]
    assert {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "4Gi"}} in pod["volumes"]
    assert (
        sts["spec"]["selector"]["matchLabels"].items()
        <= sts["spec"]["template"]["metadata"]["labels"].items()
    )
    assert build_pvc(MINIMAL, identity())["spec"]["resources"]["requests"]["storage"] == "5Gi"
    claim = build_statefulset(MINIMAL, identity())["spec"]["template"]["spec"]["volumes"][0]
    assert claim["persistentVolumeClaim"]["claimName"] == "home-alice"
