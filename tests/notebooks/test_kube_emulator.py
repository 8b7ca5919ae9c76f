"""The Kubernetes API emulator behaves like the API server where our code (and the
pipelines code) depends on it, seen through the real ``kubernetes`` client."""

from __future__ import annotations

import threading
from typing import Any

import kubernetes.client as k
import pytest
from kube_emulator import KubeEmulator
from kubernetes import watch

MERGE = "application/merge-patch+json"


def _configmap(name: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels}, "data": {"a": "1"}}


def test_resource_versions_conflicts_and_selectors(mlops_kube: KubeEmulator) -> None:
    core = k.CoreV1Api(mlops_kube.api_client())
    first = core.create_namespaced_config_map("ns", _configmap("one", app="x", tier="web"))
    core.create_namespaced_config_map("ns", _configmap("two", app="y"))
    core.create_namespaced_config_map("other", _configmap("three", app="x"))
    with pytest.raises(k.ApiException) as exists:
        core.create_namespaced_config_map("ns", _configmap("one"))
    assert exists.value.status == 409

    def names(**kw: str) -> list[str]:
        return sorted(c.metadata.name for c in core.list_namespaced_config_map("ns", **kw).items)

    assert names(label_selector="app=x") == ["one"]
    assert names(label_selector="app in (x,y),tier!=web") == ["two"]
    assert names(label_selector="!tier") == ["two"]
    assert names(field_selector="metadata.name=two") == ["two"]
    assert len(core.list_config_map_for_all_namespaces(label_selector="app=x").items) == 2

    updated = core.patch_namespaced_config_map(
        "one", "ns", {"data": {"b": "2"}}, _content_type=MERGE
    )
    assert updated.data == {"a": "1", "b": "2"}
    assert int(updated.metadata.resource_version) > int(first.metadata.resource_version)
    stale = {
        **_configmap("one"),
        "metadata": {"name": "one", "resourceVersion": first.metadata.resource_version},
    }
    with pytest.raises(k.ApiException) as conflict:
        core.replace_namespaced_config_map("one", "ns", stale)
    assert conflict.value.status == 409
    patched = core.patch_namespaced_config_map(
        "one",
        "ns",
        [{"op": "replace", "path": "/data/a", "value": "9"}, {"op": "remove", "path": "/data/b"}],
    )
    assert patched.data == {"a": "9"}


def test_status_subresource_and_finalizers(mlops_kube: KubeEmulator) -> None:
    custom = k.CustomObjectsApi(mlops_kube.api_client())
    body = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": "run-", "finalizers": ["keep"]},
        "spec": {"entrypoint": "main"},
        "status": {"phase": "Ignored"},
    }
    created = custom.create_namespaced_custom_object(
        "argoproj.io", "v1alpha1", "ns", "workflows", body
    )
    name = created["metadata"]["name"]
    assert name.startswith("run-")
    custom.patch_namespaced_custom_object_status(
        "argoproj.io", "v1alpha1", "ns", "workflows", name, {"status": {"phase": "Running"}}
    )
    custom.patch_namespaced_custom_object(
        "argoproj.io",
        "v1alpha1",
        "ns",
        "workflows",
        name,
        {"status": {"phase": "Hacked"}, "spec": {"x": 1}},
    )
    current = custom.get_namespaced_custom_object(
        "argoproj.io", "v1alpha1", "ns", "workflows", name
    )
    assert current["status"] == {"phase": "Running"} and current["spec"]["x"] == 1
    custom.delete_namespaced_custom_object("argoproj.io", "v1alpha1", "ns", "workflows", name)
    assert mlops_kube.get("argoproj.io/v1alpha1", "Workflow", "ns", name)["metadata"][
        "deletionTimestamp"
    ]
    custom.patch_namespaced_custom_object(
        "argoproj.io", "v1alpha1", "ns", "workflows", name, {"metadata": {"finalizers": None}}
    )
    assert mlops_kube.get("argoproj.io/v1alpha1", "Workflow", "ns", name) is None


def test_jobs_pods_logs_and_watch(mlops_kube: KubeEmulator) -> None:
    api = mlops_kube.api_client()
    batch, core = k.BatchV1Api(api), k.CoreV1Api(api)
    seen: list[tuple[str, str]] = []
    # List, then watch from the list's resourceVersion (as informers do): every later event
    # arrives however late the watch connects.
    since = core.list_namespaced_pod("ns").metadata.resource_version

    def follow() -> None:
        stream = watch.Watch().stream(
            core.list_namespaced_pod, "ns", resource_version=since, timeout_seconds=5
        )
        for event in stream:
            seen.append((event["type"], event["object"].status.phase))
            if event["object"].status.phase == "Succeeded":
                return

    watcher = threading.Thread(target=follow)
    watcher.start()
    job = {
        "metadata": {"name": "step"},
        "spec": {
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "main", "image": "python:3.11"}],
                }
            }
        },
    }
    batch.create_namespaced_job("ns", job)
    pod = core.list_namespaced_pod("ns", label_selector="job-name=step").items[0].metadata.name
    mlops_kube.kubelet.finish("ns", pod, log="done\n")
    watcher.join(10)
    assert ("ADDED", "Pending") in seen and ("MODIFIED", "Succeeded") in seen
    assert core.read_namespaced_pod_log(pod, "ns", container="main") == "done\n"
    status = batch.read_namespaced_job("step", "ns").status
    assert status.succeeded == 1 and status.conditions[0].type == "Complete"
    batch.delete_namespaced_job("step", "ns")
    assert core.list_namespaced_pod("ns").items == []  # owned pods go with their Job
