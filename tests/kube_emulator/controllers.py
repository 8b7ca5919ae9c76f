"""Tiny stand-ins for the cluster's controllers, run synchronously on every change.

- ``statefulset_controller``: replicas 1..n -> pods ``<name>-<i>`` from the template (owned
  by the StatefulSet, so deleting it deletes them); replicas lowered -> pods deleted;
  ``status.replicas``/``readyReplicas`` follow the pods.
- ``pvc_binder``: a new PersistentVolumeClaim is Bound at once.
- ``job_controller``: a Job gets one pod ``<job>-<5 chars>``; the Job's status follows the
  pod (``active``, ``succeeded``/``failed`` with a Complete/Failed condition).
- ``kubeflow_notebook_controller``: a ``kubeflow.org`` Notebook gets a StatefulSet (replicas 0
  while the ``kubeflow-resource-stopped`` annotation is set) and a Service; its status copies
  ``readyReplicas`` and the container state; pod events are re-issued on the Notebook.

Pods themselves never change phase here: the test's :class:`Kubelet` moves them.
"""

from __future__ import annotations

import uuid
from typing import Any

from .resources import Resource
from .state import ClusterState, Obj

STOP_ANNOTATION = "kubeflow-resource-stopped"


def _owner_ref(obj: Obj, controller: bool = True) -> Obj:
    return {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
        "controller": controller,
        "blockOwnerDeletion": True,
    }


def _owned_by(obj: Obj, owner_uid: str) -> bool:
    return any(ref.get("uid") == owner_uid for ref in obj["metadata"].get("ownerReferences") or [])


def _pod_ready(pod: Obj) -> bool:
    conditions = pod.get("status", {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _set_status(state: ClusterState, resource: Resource, obj: Obj, status: Obj) -> None:
    if obj.get("status") == status:
        return
    ns = obj["metadata"].get("namespace")
    state.replace(resource, ns, obj["metadata"]["name"], {**obj, "status": status}, "status")


def statefulset_controller(state: ClusterState, resource: Resource, type_: str, obj: Obj) -> None:
    pods = state.resource("v1", "Pod")
    sts_resource = state.resource("apps/v1", "StatefulSet")
    if resource.key == sts_resource.key and type_ != "DELETED":
        sts = state.find(sts_resource, obj["metadata"]["namespace"], obj["metadata"]["name"])
        if sts is not None:
            _sync_statefulset(state, sts)
    elif resource.key == pods.key:
        for ref in obj["metadata"].get("ownerReferences") or []:
            if ref.get("kind") == "StatefulSet":
                sts = state.find(sts_resource, obj["metadata"]["namespace"], ref["name"])
                if sts is not None and sts["metadata"]["uid"] == ref.get("uid"):
                    _sync_statefulset(state, sts)


def _sync_statefulset(state: ClusterState, sts: Obj) -> None:
    pods = state.resource("v1", "Pod")
    ns, name = sts["metadata"]["namespace"], sts["metadata"]["name"]
    replicas = int(sts.get("spec", {}).get("replicas", 1))
    template = sts.get("spec", {}).get("template", {})
    for index in range(replicas):
        pod_name = f"{name}-{index}"
        if state.find(pods, ns, pod_name) is None:
            labels = dict(template.get("metadata", {}).get("labels") or {})
            labels["statefulset.kubernetes.io/pod-name"] = pod_name
            pod = {
                "metadata": {
                    "name": pod_name,
                    "namespace": ns,
                    "labels": labels,
                    "annotations": dict(template.get("metadata", {}).get("annotations") or {}),
                    "ownerReferences": [_owner_ref(sts)],
                },
                "spec": template.get("spec", {}),
                "status": {"phase": "Pending"},
            }
            created = state.create(pods, ns, pod)
            state.record_event(
                sts,
                "SuccessfulCreate",
                f"create Pod {pod_name} in StatefulSet {name} successful",
                source="statefulset-controller",
            )
            del created
    for pod in state.list(pods, ns):
        if not _owned_by(pod, sts["metadata"]["uid"]):
            continue
        index = int(pod["metadata"]["name"].rsplit("-", 1)[-1])
        if index >= replicas:
            state.delete(pods, ns, pod["metadata"]["name"])
            state.record_event(
                sts,
                "SuccessfulDelete",
                f"delete Pod {pod['metadata']['name']} in StatefulSet {name} successful",
                source="statefulset-controller",
            )
    owned = [p for p in state.list(pods, ns) if _owned_by(p, sts["metadata"]["uid"])]
    status = {
        "replicas": len(owned),
        "readyReplicas": sum(1 for p in owned if _pod_ready(p)),
        "currentReplicas": len(owned),
        "observedGeneration": sts["metadata"].get("generation", 1),
    }
    current = state.find(state.resource("apps/v1", "StatefulSet"), ns, name)
    if current is not None:
        _set_status(state, state.resource("apps/v1", "StatefulSet"), current, status)


def pvc_binder(state: ClusterState, resource: Resource, type_: str, obj: Obj) -> None:
    pvcs = state.resource("v1", "PersistentVolumeClaim")
    if resource.key != pvcs.key or type_ != "ADDED":
        return
    status = {
        "phase": "Bound",
        "capacity": obj.get("spec", {}).get("resources", {}).get("requests", {}),
    }
    _set_status(state, pvcs, obj, status)


def job_controller(state: ClusterState, resource: Resource, type_: str, obj: Obj) -> None:
    jobs = state.resource("batch/v1", "Job")
    pods = state.resource("v1", "Pod")
    if resource.key == jobs.key and type_ == "ADDED":
        job = obj
        ns, name = job["metadata"]["namespace"], job["metadata"]["name"]
        template = job.get("spec", {}).get("template", {})
        labels = dict(template.get("metadata", {}).get("labels") or {})
        labels.update({"job-name": name, "controller-uid": job["metadata"]["uid"]})
        state.create(
            pods,
            ns,
            {
                "metadata": {
                    "name": f"{name}-{uuid.uuid4().hex[:5]}",
                    "namespace": ns,
                    "labels": labels,
                    "ownerReferences": [_owner_ref(job)],
                },
                "spec": template.get("spec", {}),
                "status": {"phase": "Pending"},
            },
        )
        state.record_event(
            job, "SuccessfulCreate", f"Created pod for job {name}", source="job-controller"
        )
        _set_status(
            state,
            jobs,
            state.get(jobs, ns, name),
            {"active": 1, "startTime": job["metadata"]["creationTimestamp"]},
        )
    elif resource.key == pods.key and type_ == "MODIFIED":
        for ref in obj["metadata"].get("ownerReferences") or []:
            if ref.get("kind") != "Job":
                continue
            job = state.find(jobs, obj["metadata"]["namespace"], ref["name"])
            if job is None:
                continue
            phase = obj.get("status", {}).get("phase")
            status = dict(job.get("status") or {})
            if phase == "Succeeded":
                status.update(active=0, succeeded=1)
                status["conditions"] = [{"type": "Complete", "status": "True"}]
            elif phase == "Failed":
                status.update(active=0, failed=1)
                status["conditions"] = [
                    {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}
                ]
            else:
                continue
            _set_status(state, jobs, job, status)


def kubeflow_notebook_controller(
    state: ClusterState, resource: Resource, type_: str, obj: Obj
) -> None:
    if resource.group != "kubeflow.org" or resource.plural != "notebooks":
        if resource.kind == "Pod" and type_ != "DELETED":
            _notebook_from_pod(state, obj)
        if resource.kind == "Event" and type_ == "ADDED":
            _reissue_event(state, obj)
        return
    if type_ == "DELETED":
        return
    notebooks = resource
    ns, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
    sts_resource = state.resource("apps/v1", "StatefulSet")
    services = state.resource("v1", "Service")
    stopped = STOP_ANNOTATION in (obj["metadata"].get("annotations") or {})
    labels = dict(obj["metadata"].get("labels") or {})
    labels.update({"statefulset": name, "notebook-name": name})
    pod_spec = obj.get("spec", {}).get("template", {}).get("spec", {})
    sts_spec = {
        "replicas": 0 if stopped else 1,
        "selector": {"matchLabels": {"statefulset": name}},
        "serviceName": "",
        "template": {"metadata": {"labels": labels}, "spec": pod_spec},
    }
    current = state.find(sts_resource, ns, name)
    if current is None:
        state.create(
            sts_resource,
            ns,
            {
                "metadata": {"name": name, "namespace": ns, "ownerReferences": [_owner_ref(obj)]},
                "spec": sts_spec,
            },
        )
    elif current.get("spec") != sts_spec:
        state.patch(sts_resource, ns, name, {"spec": sts_spec}, "application/merge-patch+json")
    if state.find(services, ns, name) is None:
        state.create(
            services,
            ns,
            {
                "metadata": {"name": name, "namespace": ns, "ownerReferences": [_owner_ref(obj)]},
                "spec": {
                    "selector": {"statefulset": name},
                    "ports": [{"name": f"http-{name}", "port": 80, "targetPort": 8888}],
                },
            },
        )
    sts = state.find(sts_resource, ns, name)
    notebook = state.find(notebooks, ns, name)
    if sts is None or notebook is None:
        return
    status = dict(notebook.get("status") or {"conditions": [], "containerState": {}})
    status["readyReplicas"] = sts.get("status", {}).get("readyReplicas", 0)
    status.setdefault("conditions", [])
    status.setdefault("containerState", {})
    _set_status(state, notebooks, notebook, status)


def _notebook_for(
    state: ClusterState, namespace: str, pod_name: str
) -> tuple[Resource, Obj] | None:
    sts_name = pod_name.rsplit("-", 1)[0]
    for version in ("v1", "v1beta1"):
        notebooks = state.resources.get("kubeflow.org", version, "notebooks")
        if notebooks is None:
            continue
        notebook = state.find(notebooks, namespace, sts_name)
        if notebook is not None:
            return notebooks, notebook
    return None


def _notebook_from_pod(state: ClusterState, pod: Obj) -> None:
    found = _notebook_for(state, pod["metadata"].get("namespace", ""), pod["metadata"]["name"])
    if found is None:
        return
    notebooks, notebook = found
    name = notebook["metadata"]["name"]
    statuses = pod.get("status", {}).get("containerStatuses") or []
    container = next(
        (c for c in statuses if c.get("name") == name), statuses[0] if statuses else None
    )
    status = dict(notebook.get("status") or {})
    status["containerState"] = (container or {}).get("state", {})
    sts = state.find(
        state.resource("apps/v1", "StatefulSet"), notebook["metadata"]["namespace"], name
    )
    status["readyReplicas"] = (sts or {}).get("status", {}).get("readyReplicas", 0)
    status.setdefault("conditions", [])
    _set_status(state, notebooks, notebook, status)


def _reissue_event(state: ClusterState, event: Obj) -> None:
    involved = event.get("involvedObject", {})
    if involved.get("kind") not in ("Pod", "StatefulSet"):
        return
    pod_name = (
        involved.get("name", "")
        if involved.get("kind") == "Pod"
        else involved.get("name", "") + "-0"
    )
    found = _notebook_for(state, involved.get("namespace", ""), pod_name)
    if found is None:
        return
    _, notebook = found
    state.record_event(
        notebook,
        event.get("reason", ""),
        f"Reissued from {involved['kind'].lower()}/{involved['name']}: {event.get('message', '')}",
        type_=event.get("type", "Normal"),
        source="notebook-controller",
    )


def default_controllers() -> list[Any]:
    return [statefulset_controller, pvc_binder, job_controller]
