"""Notebook servers as Kubeflow ``kubeflow.org/v1`` Notebook resources.

Kubeflow's notebook controller then makes the StatefulSet and Service, applies the
PodDefaults selected by the Notebook's labels and routes it; stopping is its
``kubeflow-resource-stopped`` annotation. We still own the workspace PVC and the Secret.
"""

from __future__ import annotations

from typing import Any

from ...kube.client import MERGE_PATCH, KubeError
from ..entities import NotebookServer, Observation, ServerStatus
from ..manifests import (
    STOP_ANNOTATION,
    build_notebook,
    build_pvc,
    build_secret,
    redact_secret,
    stop_timestamp,
)
from ..pod_status import observe_pod
from .kubernetes import KubernetesNotebookBackend, require_crd

GROUP, VERSION, PLURAL = "kubeflow.org", "v1", "notebooks"


class KubeflowNotebookBackend(KubernetesNotebookBackend):
    kind = "kubeflow"

    def container_name(self, server: NotebookServer) -> str:
        return server.names.workload  # Kubeflow requires the container to be named like the CR

    def _notebook(self, server: NotebookServer) -> dict[str, Any] | None:
        try:
            return self.api.get_or_none(
                self.api.custom.get_namespaced_custom_object,
                GROUP,
                VERSION,
                server.names.namespace,
                PLURAL,
                server.names.workload,
            )
        except KubeError as exc:
            raise require_crd(exc, "the kubeflow.org/v1 Notebook resource") from None

    def start(self, server: NotebookServer, tracking_token: str = "") -> dict[str, Any]:
        token, new_token = self.start_token(server)
        self._ensure_common(server, token, tracking_token, new_token)
        notebook = build_notebook(server.spec, self.identity(server, tracking_token))
        ns = server.names.namespace
        try:
            created = self.api.create_or_keep(
                self.api.custom.create_namespaced_custom_object,
                GROUP,
                VERSION,
                ns,
                PLURAL,
                notebook,
            )
        except KubeError as exc:
            if exc.not_found:
                raise require_crd(exc, "the kubeflow.org/v1 Notebook CRD") from None
            raise
        if not created:
            annotations: dict[str, Any] = dict(notebook["metadata"]["annotations"])
            annotations[STOP_ANNOTATION] = None  # merge patch: removes it, so it starts
            self.api.call(
                self.api.custom.patch_namespaced_custom_object,
                GROUP,
                VERSION,
                ns,
                PLURAL,
                server.names.workload,
                {
                    "metadata": {
                        "annotations": annotations,
                        "labels": notebook["metadata"]["labels"],
                    },
                    "spec": notebook["spec"],
                },
                _content_type=MERGE_PATCH,
            )
        return {"token": self.seal_token(token), "tracking_token": bool(tracking_token)}

    def stop(self, server: NotebookServer) -> None:
        try:
            self.api.call(
                self.api.custom.patch_namespaced_custom_object,
                GROUP,
                VERSION,
                server.names.namespace,
                PLURAL,
                server.names.workload,
                {"metadata": {"annotations": {STOP_ANNOTATION: stop_timestamp()}}},
                _content_type=MERGE_PATCH,
            )
        except KubeError as exc:
            if not exc.not_found:
                raise

    def delete(self, server: NotebookServer, delete_volume: bool) -> None:
        ns = server.names.namespace
        try:
            self.api.delete_if_exists(
                self.api.custom.delete_namespaced_custom_object,
                GROUP,
                VERSION,
                ns,
                PLURAL,
                server.names.workload,
            )
        except KubeError as exc:
            if exc.status != 404:
                raise
        self.api.delete_if_exists(self.api.core.delete_namespaced_secret, server.names.secret, ns)
        if delete_volume and not server.spec.workspace.existing_claim:
            self.api.delete_if_exists(
                self.api.core.delete_namespaced_persistent_volume_claim, server.names.pvc, ns
            )

    def observe_server(self, server: NotebookServer) -> Observation:
        notebook = self._notebook(server)
        if notebook is None:
            if (
                server.status in (ServerStatus.STOPPED, ServerStatus.STOPPING)
                or not server.started_at
            ):
                return Observation(ServerStatus.STOPPED)
            return Observation(ServerStatus.FAILED, "Missing", "the Notebook resource is gone")
        pod = self.api.get_or_none(
            self.api.core.read_namespaced_pod, self.pod_name(server), server.names.namespace
        )
        if STOP_ANNOTATION in (notebook["metadata"].get("annotations") or {}):
            if pod is not None:
                return Observation(ServerStatus.STOPPING, "Terminating", "the pod is shutting down")
            return Observation(ServerStatus.STOPPED)
        if pod is None:
            return Observation(
                ServerStatus.PENDING, "Creating", "waiting for the notebook controller's pod"
            )
        return observe_pod(pod, self.container_name(server))

    def _event_selectors(self, server: NotebookServer) -> list[str]:
        # The controller re-issues pod and StatefulSet events on the Notebook.
        return [
            f"involvedObject.kind=Notebook,involvedObject.name={server.names.workload}",
            f"involvedObject.name={server.names.pvc}",
        ]

    def manifests(self, server: NotebookServer) -> list[dict[str, Any]]:
        ident = self.identity(server)
        has_tracking_token = ident.has_tracking_token
        documents = [redact_secret(build_secret(ident, "x", "x" if has_tracking_token else ""))]
        if not server.spec.workspace.existing_claim:
            documents.append(build_pvc(server.spec, ident))
        stopped = server.status in (ServerStatus.STOPPED, ServerStatus.STOPPING)
        documents.append(build_notebook(server.spec, ident, stopped=stopped))
        return documents
