"""Notebook servers on Kubernetes: per server a one-replica StatefulSet (stop = scale to 0,
keeping the volume), a Service, a workspace PVC and a Secret with its tokens, in one
configured namespace or one per user."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from ...errors import InvalidState
from ...kube.client import MERGE_PATCH, KubeApi, KubeError
from ..entities import BackendEvent, NotebookServer, Observation, ServerStatus
from ..manifests import (
    CONTAINER,
    ServerIdentity,
    build_namespace,
    build_pvc,
    build_secret,
    build_service,
    build_statefulset,
    redact_secret,
)
from ..pod_status import observe_pod
from .base import BackendContext, NotebookBackend, Upstream


def _timestamp_ms(text: str | None) -> int:
    if not text:
        return 0
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return 0


def event_of(event: dict[str, Any]) -> BackendEvent:
    meta = event.get("metadata", {})
    involved = event.get("involvedObject", {})
    stamp = (
        event.get("lastTimestamp")
        or event.get("eventTime")
        or event.get("firstTimestamp")
        or meta.get("creationTimestamp")
    )
    return BackendEvent(
        key=f"{meta.get('uid') or meta.get('name')}:{event.get('count') or 1}",
        timestamp=_timestamp_ms(stamp),
        type=event.get("type") or "Normal",
        reason=event.get("reason") or "",
        message=f"{involved.get('kind', '')} {involved.get('name', '')}: "
        + str(event.get("message", "")),
    )


class KubernetesNotebookBackend(NotebookBackend):
    """StatefulSet + Service + PVC + Secret per server (see docs/notebook-servers.md)."""

    kind = "kubernetes"
    api: KubeApi

    def setup(self, context: BackendContext) -> None:
        super().setup(context)
        self.api = KubeApi.from_config(context.kube)

    def close(self) -> None:
        api = getattr(self, "api", None)
        if api is not None:
            api.close()

    # -- helpers ---------------------------------------------------------------------------
    def identity(self, server: NotebookServer, tracking_token: str = "") -> ServerIdentity:
        return ServerIdentity(
            owner=server.owner,
            name=server.name,
            names=server.names,
            prefix=self.context.prefix(server.owner, server.name),
            tracking_url=self.context.tracking_url,
            has_tracking_token=bool(
                tracking_token
                or self.context.tracking_token
                or server.runtime.get("tracking_token")
            ),
            service_account=self.context.service_account,
        )

    def pod_name(self, server: NotebookServer) -> str:
        return f"{server.names.workload}-0"

    def container_name(self, server: NotebookServer) -> str:
        return CONTAINER

    def _ensure_namespace(self, server: NotebookServer) -> None:
        if not self.context.namespace_per_user:
            return
        self.api.create_or_keep(
            self.api.core.create_namespace, build_namespace(server.names.namespace, server.owner)
        )

    def start_token(self, server: NotebookServer) -> tuple[str, bool]:
        """The token the server keeps across starts (unsealed from its runtime record), or
        a new one; and whether it is new (the Secret must then be replaced)."""
        try:
            token = self.server_token(server)
        except InvalidState:  # sealed with another key: nobody can present it any more
            token = ""
        if token:
            return token, False
        return secrets.token_hex(24), True

    def _ensure_common(
        self, server: NotebookServer, token: str, tracking_token: str = "", new_token: bool = False
    ) -> None:
        ident = self.identity(server, tracking_token)
        ns = server.names.namespace
        self._ensure_namespace(server)
        secret = build_secret(ident, token, tracking_token or self.context.tracking_token)
        created = self.api.create_or_keep(self.api.core.create_namespaced_secret, ns, secret)
        if not created and (tracking_token or new_token):
            # Each start issues a new API token (the previous one is revoked), and a new
            # notebook token replaces one we can no longer read: replace the Secret so that
            # the new pod reads the live ones.
            self.api.call(self.api.core.replace_namespaced_secret, server.names.secret, ns, secret)
        if not server.spec.workspace.existing_claim:
            self.api.create_or_keep(
                self.api.core.create_namespaced_persistent_volume_claim,
                ns,
                build_pvc(server.spec, ident),
            )

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, server: NotebookServer, tracking_token: str = "") -> dict[str, Any]:
        token, new_token = self.start_token(server)
        ident = self.identity(server, tracking_token)
        ns = server.names.namespace
        self._ensure_common(server, token, tracking_token, new_token)
        self.api.create_or_keep(self.api.core.create_namespaced_service, ns, build_service(ident))
        statefulset = build_statefulset(server.spec, ident, replicas=1)
        if not self.api.create_or_keep(
            self.api.apps.create_namespaced_stateful_set, ns, statefulset
        ):
            # It exists (stopped, or edited): the new template and one replica. Edits take
            # effect now, as the pod is created anew.
            self.api.call(
                self.api.apps.patch_namespaced_stateful_set,
                server.names.workload,
                ns,
                {
                    "metadata": {"labels": statefulset["metadata"]["labels"]},
                    "spec": {"replicas": 1, "template": statefulset["spec"]["template"]},
                },
                _content_type=MERGE_PATCH,
            )
        # The token itself lives in the Secret; our record keeps it sealed (the proxy
        # presents it upstream), never in plain text.
        return {"token": self.seal_token(token), "tracking_token": bool(tracking_token)}

    def stop(self, server: NotebookServer) -> None:
        try:
            self.api.call(
                self.api.apps.patch_namespaced_stateful_set_scale,
                server.names.workload,
                server.names.namespace,
                {"spec": {"replicas": 0}},
                _content_type=MERGE_PATCH,
            )
        except KubeError as exc:
            if not exc.not_found:
                raise

    def delete(self, server: NotebookServer, delete_volume: bool) -> None:
        ns, workload = server.names.namespace, server.names.workload
        self.api.delete_if_exists(self.api.apps.delete_namespaced_stateful_set, workload, ns)
        self.api.delete_if_exists(self.api.core.delete_namespaced_service, workload, ns)
        self.api.delete_if_exists(self.api.core.delete_namespaced_secret, server.names.secret, ns)
        if delete_volume and not server.spec.workspace.existing_claim:
            self.api.delete_if_exists(
                self.api.core.delete_namespaced_persistent_volume_claim, server.names.pvc, ns
            )

    def observe_server(self, server: NotebookServer) -> Observation:
        ns = server.names.namespace
        sts = self.api.get_or_none(
            self.api.apps.read_namespaced_stateful_set, server.names.workload, ns
        )
        if sts is None:
            if (
                server.status in (ServerStatus.STOPPED, ServerStatus.STOPPING)
                or not server.started_at
            ):
                return Observation(ServerStatus.STOPPED)
            return Observation(
                ServerStatus.FAILED,
                "Missing",
                f"the StatefulSet {ns}/{server.names.workload} is gone",
            )
        pod = self.api.get_or_none(self.api.core.read_namespaced_pod, self.pod_name(server), ns)
        if int(sts.get("spec", {}).get("replicas", 1)) == 0:
            if pod is not None:
                return Observation(ServerStatus.STOPPING, "Terminating", "the pod is shutting down")
            return Observation(ServerStatus.STOPPED)
        if pod is None:
            return Observation(
                ServerStatus.PENDING, "Creating", "waiting for the pod to be created"
            )
        return observe_pod(pod, self.container_name(server))

    def _event_selectors(self, server: NotebookServer) -> list[str]:
        names = [self.pod_name(server), server.names.workload, server.names.pvc]
        return [f"involvedObject.name={name}" for name in names]

    def events(self, server: NotebookServer) -> list[BackendEvent]:
        found: list[BackendEvent] = []
        for selector in self._event_selectors(server):
            listing = self.api.call(
                self.api.core.list_namespaced_event,
                server.names.namespace,
                field_selector=selector,
            )
            found.extend(event_of(e) for e in listing.get("items", []))
        return sorted(found, key=lambda e: e.timestamp)

    def logs(self, server: NotebookServer, tail: int) -> str:
        try:
            text = self.api.call(
                self.api.core.read_namespaced_pod_log,
                self.pod_name(server),
                server.names.namespace,
                container=self.container_name(server),
                tail_lines=tail,
            )
        except KubeError as exc:
            if exc.not_found:
                return ""
            if exc.status == 400:  # the container has not started yet
                return ""
            raise
        return str(text or "")

    def manifests(self, server: NotebookServer) -> list[dict[str, Any]]:
        ident = self.identity(server)
        has_tracking_token = ident.has_tracking_token
        documents = [redact_secret(build_secret(ident, "x", "x" if has_tracking_token else ""))]
        if not server.spec.workspace.existing_claim:
            documents.append(build_pvc(server.spec, ident))
        stopped = server.status in (ServerStatus.STOPPED, ServerStatus.STOPPING)
        documents.append(build_service(ident))
        documents.append(build_statefulset(server.spec, ident, replicas=0 if stopped else 1))
        return documents

    def upstream(self, server: NotebookServer) -> Upstream | None:
        host = f"{server.names.workload}.{server.names.namespace}.svc.{self.context.cluster_domain}"
        prefix = self.context.prefix(server.owner, server.name)
        return Upstream(f"http://{host}:80{prefix}", self.server_token(server))


def require_crd(error: KubeError, what: str) -> InvalidState:
    return InvalidState(f"{what} is not available in this cluster ({error.message})")
