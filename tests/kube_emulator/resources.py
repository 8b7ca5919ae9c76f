"""The resource types the emulator serves: (group, version, plural) -> kind and options.

Generic: any group/version/resource can be added with :meth:`ResourceTable.register`
(CRDs such as ``kubeflow.org/v1 notebooks`` or ``argoproj.io/v1alpha1 workflows`` are
pre-registered, as if their CRDs were installed).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    group: str  # "" for the core API
    version: str
    plural: str
    kind: str
    namespaced: bool = True
    status_subresource: bool = True
    scale_subresource: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self) -> tuple[str, str]:
        """Objects are stored per (group, plural): every version of a group sees them."""
        return (self.group, self.plural)


_BUILTIN = [
    Resource("", "v1", "namespaces", "Namespace", namespaced=False),
    Resource("", "v1", "pods", "Pod"),
    Resource("", "v1", "services", "Service"),
    Resource("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim"),
    Resource("", "v1", "secrets", "Secret", status_subresource=False),
    Resource("", "v1", "configmaps", "ConfigMap", status_subresource=False),
    Resource("", "v1", "serviceaccounts", "ServiceAccount", status_subresource=False),
    Resource("", "v1", "events", "Event", status_subresource=False),
    Resource("", "v1", "nodes", "Node", namespaced=False),
    Resource("apps", "v1", "statefulsets", "StatefulSet", scale_subresource=True),
    Resource("apps", "v1", "deployments", "Deployment", scale_subresource=True),
    Resource("batch", "v1", "jobs", "Job"),
    Resource("batch", "v1", "cronjobs", "CronJob"),
    Resource("events.k8s.io", "v1", "events", "Event", status_subresource=False),
    Resource("kubeflow.org", "v1", "notebooks", "Notebook"),
    Resource("kubeflow.org", "v1beta1", "notebooks", "Notebook"),
    Resource("argoproj.io", "v1alpha1", "workflows", "Workflow"),
    Resource("argoproj.io", "v1alpha1", "workflowtemplates", "WorkflowTemplate"),
    Resource("argoproj.io", "v1alpha1", "cronworkflows", "CronWorkflow"),
]


class ResourceTable:
    def __init__(self) -> None:
        self._by_path: dict[tuple[str, str, str], Resource] = {}
        for resource in _BUILTIN:
            self.register(resource)

    def register(self, resource: Resource) -> None:
        self._by_path[(resource.group, resource.version, resource.plural)] = resource

    def unregister(self, group: str, version: str, plural: str) -> None:
        """Forget a resource (e.g. to emulate a cluster without the Kubeflow CRD)."""
        self._by_path.pop((group, version, plural), None)

    def get(self, group: str, version: str, plural: str) -> Resource | None:
        return self._by_path.get((group, version, plural))

    def by_kind(self, api_version: str, kind: str) -> Resource | None:
        for resource in self._by_path.values():
            if resource.api_version == api_version and resource.kind == kind:
                return resource
        return None

    def all(self) -> list[Resource]:
        return list(self._by_path.values())
