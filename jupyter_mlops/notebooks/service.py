"""The notebook-server service: lifecycle, status and events, with permissions.

A user sees and changes their own servers; admins see and change everyone's (and may
create servers for others). What a caller reads of a server is a ``ServerView``: the
server, where our proxy serves it and whether this caller may open it. Methods block
(store, backend) and run in the server's thread pool. The store records intent;
``refresh`` compares it with what the backend observes, records status changes and the
platform's events (the spawn progress the UI polls with a ``since`` cursor), and is what
start-up reconciliation runs for every server.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import AlreadyExists, InvalidParameter, InvalidState, NotFound, PermissionDenied
from ..kube.client import KubeError
from ..tracking.entities import Page
from .backends.base import NotebookBackend, Upstream
from .entities import NotebookServer, ServerProgress, ServerStatus, ServerView
from .naming import compute_names
from .options import NotebookOptions
from .store import SqlNotebookStore, now_ms
from .validation import (
    EDITABLE_FIELDS,
    SPEC_FIELDS,
    build_spec,
    check_quota,
    validate_owner,
    validate_server_name,
)

if TYPE_CHECKING:
    from ..auth.service import TokenService

log = logging.getLogger(__name__)

#: Human-readable progress, by the reason of a status change.
_STATUS_MESSAGES = {
    ServerStatus.PENDING: "Waiting for resources",
    ServerStatus.STARTING: "Starting the server",
    ServerStatus.RUNNING: "Ready: the server answers",
    ServerStatus.STOPPING: "Stopping",
    ServerStatus.STOPPED: "Stopped; the workspace is kept",
    ServerStatus.FAILED: "Failed",
}
MAX_LOG_LINES = 5000


class NotebookService:
    def __init__(
        self,
        store: SqlNotebookStore,
        backend: NotebookBackend,
        options: NotebookOptions,
        admins: Iterable[str],
        namespace: str = "default",
        namespace_template: str = "",
        tokens: TokenService | None = None,
        admins_open_others: bool = False,
    ) -> None:
        self.store = store
        # Issues each started server an API token of its owner (JUPYTER_MLOPS_TOKEN), so
        # that its runs land in the central store as that user; None: no tokens.
        self.tokens = tokens
        self.backend = backend
        self.options = options
        self.admins = frozenset(admins)
        self.namespace = namespace
        self.namespace_template = namespace_template
        # The proxy's policy (``admin_access``): whether admins may open others' servers.
        self.admins_open_others = admins_open_others
        # One lifecycle change at a time per server (start vs. stop vs. cull).
        self._locks: dict[tuple[str, str], threading.RLock] = {}
        self._locks_guard = threading.Lock()

    # -- permissions -----------------------------------------------------------------------
    def is_admin(self, user: str) -> bool:
        return user in self.admins

    def _lock(self, owner: str, name: str) -> threading.RLock:
        with self._locks_guard:
            return self._locks.setdefault((owner, name), threading.RLock())

    def _visible(self, user: str, owner: str, name: str) -> NotebookServer:
        """The server, if ``user`` may see it; otherwise the same 404 as a missing one (a
        user learns nothing about other users' servers)."""
        if owner != user and not self.is_admin(user):
            raise NotFound(f"no notebook server {owner}/{name}")
        return self.store.get(owner, name)

    def _view(self, user: str, server: NotebookServer) -> ServerView:
        return ServerView(
            server,
            url=self.backend.context.prefix(server.owner, server.name),
            openable=self.may_open(user, server.owner, self.admins_open_others),
        )

    # -- reading ---------------------------------------------------------------------------
    def describe_options(self, user: str) -> dict[str, Any]:
        document = self.options.public(user)
        document["backend"] = self.backend.kind
        document["is_admin"] = self.is_admin(user)
        document["user"] = user
        if self.is_admin(user):
            document["users"] = sorted({user, *self.admins, *self.store.owners()})
        return document

    def list_servers(
        self,
        user: str,
        owner: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> Page[ServerView]:
        if owner is None and not self.is_admin(user):
            owner = user
        if owner is not None and owner != user and not self.is_admin(user):
            raise PermissionDenied("only admins may list other users' servers", field="user")
        page = self.store.search(owner=owner, max_results=max_results, page_token=page_token)
        return Page([self._view(user, s) for s in page.items], page.next_page_token)

    def get_server(self, user: str, owner: str, name: str) -> ServerView:
        server = self._visible(user, owner, name)
        if server.status.transitional:
            server = self.refresh(server)
        return self._view(user, server)

    # -- changes ---------------------------------------------------------------------------
    def create_server(
        self,
        user: str,
        name: str,
        owner: str | None = None,
        start: bool = True,
        **spec_fields: Any,
    ) -> ServerView:
        """Create ``owner``'s (default: the caller's) server ``name`` from the spec fields
        (image, cpu, memory, gpus, ...; the options fill the rest), and start it unless
        ``start`` is false."""
        unknown = set(spec_fields) - set(SPEC_FIELDS)
        if unknown:
            raise InvalidParameter(f"unknown fields {sorted(unknown)}", field=sorted(unknown)[0])
        owner = validate_owner(owner or user)
        if owner != user and not self.is_admin(user):
            raise PermissionDenied(
                "only admins may create notebook servers for other users", field="owner"
            )
        name = validate_server_name(name)
        if not isinstance(start, bool):
            raise InvalidParameter("start must be true or false", field="start")
        if self.store.find(owner, name) is not None:
            raise AlreadyExists(
                f"{owner} already has a notebook server named {name!r}", field="name"
            )
        spec = build_spec(spec_fields, self.options, is_admin=self.is_admin(user))
        others = self.store.search(owner=owner).items
        check_quota(
            self.options.quota_for(owner),
            spec=spec,
            other_servers=len(others),
            other_active=[s.spec for s in others if s.status.active] if start else [],
            new_server=True,
        )
        names = compute_names(owner, name, self.namespace, self.namespace_template)
        server = NotebookServer(
            owner=owner,
            name=name,
            backend=self.backend.kind,
            spec=spec,
            names=names,
            status=ServerStatus.STOPPED,
        )
        # A server the backend could never run (multi-user mode with no OS account for its
        # owner, say) is refused now, with the reason, rather than recorded as failed.
        self.backend.check_owner(owner)
        self.store.create(server)
        self.store.add_event(owner, name, "Created", f"Created by {user}")
        created = self._start(user, server) if start else self.store.get(owner, name)
        return self._view(user, created)

    def update_server(self, user: str, owner: str, name: str, **changes: Any) -> ServerView:
        """Edit the spec fields in ``changes``; applied at the server's next start."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise InvalidParameter(
                f"{sorted(unknown)} cannot be changed after creation; editable: "
                f"{list(EDITABLE_FIELDS)}",
                field=sorted(unknown)[0],
            )
        with self._lock(owner, name):
            server = self._visible(user, owner, name)
            spec = build_spec(
                changes, self.options, is_admin=self.is_admin(user), previous=server.spec
            )
            if server.status.active:
                others = [s for s in self.store.search(owner=owner).items if s.name != name]
                check_quota(
                    self.options.quota_for(owner),
                    spec=spec,
                    other_servers=len(others),
                    other_active=[s.spec for s in others if s.status.active],
                    new_server=False,
                )
            server.spec = spec
            self.store.save(server)
            when = "at the next start" if server.status.active else "when it starts"
            self.store.add_event(owner, name, "Edited", f"{user} changed the spec; applied {when}")
            return self._view(user, server)

    def start_server(self, user: str, owner: str, name: str) -> ServerView:
        server = self._visible(user, owner, name)
        return self._view(user, self._start(user, server))

    def _start(self, user: str, server: NotebookServer) -> NotebookServer:
        with self._lock(server.owner, server.name):
            server = self.store.get(server.owner, server.name)
            if server.status.active:
                return self.refresh(server)
            if server.status == ServerStatus.STOPPING:
                raise InvalidState(
                    f"{server.owner}/{server.name} is still stopping; start it once stopped"
                )
            others = [
                s for s in self.store.search(owner=server.owner).items if s.name != server.name
            ]
            check_quota(
                self.options.quota_for(server.owner),
                spec=server.spec,
                other_servers=len(others),
                other_active=[s.spec for s in others if s.status.active],
                new_server=False,
            )
            self.backend.check_owner(server.owner)
            server.status, server.reason, server.message = (
                ServerStatus.PENDING,
                "Requested",
                f"start requested by {user}",
            )
            server.started_at = now_ms()
            server.stopped_at = None
            server.last_activity = server.started_at
            self.store.save(server)
            self.store.add_event(
                server.owner, server.name, "Requested", f"Start requested by {user}"
            )
            tracking_token = self._issue_token(server)
            try:
                runtime = self.backend.start(server, tracking_token)
            except (KubeError, OSError, InvalidState) as exc:
                self._revoke_tokens(server)
                message = exc.message if isinstance(exc, InvalidState) else str(exc)
                server.status, server.reason, server.message = (
                    ServerStatus.FAILED,
                    "StartFailed",
                    message[:1000],
                )
                self.store.save(server)
                self.store.add_event(server.owner, server.name, "StartFailed", message, "Warning")
                return server
            server.runtime = {**runtime, "started_spec": server.spec.to_dict()}
            self.store.save(server)
            return self.refresh(server)

    def stop_server(self, user: str, owner: str, name: str, reason: str = "Stopped") -> ServerView:
        server = self._visible(user, owner, name)
        return self._view(user, self._stop(server, reason, f"stopped by {user}"))

    def _stop(self, server: NotebookServer, reason: str, message: str) -> NotebookServer:
        with self._lock(server.owner, server.name):
            server = self.store.get(server.owner, server.name)
            if server.status == ServerStatus.STOPPED:
                return server
            server.status, server.reason, server.message = ServerStatus.STOPPING, reason, message
            self.store.save(server)
            self.store.add_event(
                server.owner, server.name, reason, message[:1].upper() + message[1:]
            )
            self.backend.stop(server)
            self._revoke_tokens(server)
            server.stopped_at = now_ms()
            self.store.save(server)
            return self.refresh(server)

    def delete_server(self, user: str, owner: str, name: str, delete_volume: bool = False) -> None:
        """Delete the server; its workspace volume too only with ``delete_volume``."""
        with self._lock(owner, name):
            server = self._visible(user, owner, name)
            self.backend.delete(server, delete_volume)
            self._revoke_tokens(server)
            self.store.delete(owner, name)

    def _issue_token(self, server: NotebookServer) -> str:
        """A new API token of the owner for this start ("" when the server has nowhere to
        log to, or no token service); it replaces the server's previous ones."""
        if self.tokens is None or not self.backend.context.tracking_url:
            return ""
        return self.tokens.issue_server_token(server.owner, server.name)

    def _revoke_tokens(self, server: NotebookServer) -> None:
        if self.tokens is not None:
            self.tokens.revoke_server_tokens(server.owner, server.name)

    # -- status, events, logs, manifests ---------------------------------------------------
    def refresh(self, server: NotebookServer) -> NotebookServer:
        """Observe the backend; record events and any status change."""
        # Under the server's lock, from a fresh read: a stop or start under way must not be
        # overwritten by what a slower observer saw before it.
        with self._lock(server.owner, server.name):
            fresh = self.store.find(server.owner, server.name)
            return self._refresh(fresh) if fresh is not None else server

    def _refresh(self, server: NotebookServer) -> NotebookServer:
        resealed = self.backend.resealed_runtime(server)
        if resealed is not None:  # a token an older version stored in plain text
            server.runtime = resealed
            self.store.save(server)
        if server.status == ServerStatus.FAILED and server.reason == "StartFailed":
            return server  # nothing was created that could change
        try:
            observed = self.backend.observe_server(server)
            events = self.backend.events(server)
        except (KubeError, InvalidState) as exc:
            log.warning("notebook server %s/%s: %s", server.owner, server.name, exc)
            return server
        if events:
            self.store.add_events(server.owner, server.name, events)
        if (
            observed.status == ServerStatus.STOPPED
            and not observed.reason
            and server.status in (ServerStatus.STOPPING, ServerStatus.STOPPED)
        ):
            # Why it stopped (Stopped by a user, Culled) stays the reason.
            observed = replace(observed, reason=server.reason, message=server.message)
        changed = (observed.status, observed.reason, observed.message) != (
            server.status,
            server.reason,
            server.message,
        )
        if not changed:
            return server
        before = server.status
        server = replace(
            server, status=observed.status, reason=observed.reason, message=observed.message
        )
        if observed.status == ServerStatus.STOPPED and server.stopped_at is None:
            server.stopped_at = now_ms()
        self.store.save(server)
        if observed.status != before or observed.status == ServerStatus.FAILED:
            message = _STATUS_MESSAGES[observed.status]
            if observed.reason:
                message += f" ({observed.reason}"
                message += f": {observed.message})" if observed.message else ")"
            kind = "Warning" if observed.status == ServerStatus.FAILED else "Normal"
            reason = "Ready" if observed.status == ServerStatus.RUNNING else observed.status.value
            self.store.add_event(server.owner, server.name, reason, message, kind)
        return server

    def events(self, user: str, owner: str, name: str, since: int = 0) -> ServerProgress:
        """The server and its events after the cursor ``since`` (spawn progress)."""
        if since < 0:
            raise InvalidParameter("since must not be negative", field="since")
        server = self._visible(user, owner, name)
        if server.status.transitional or server.status == ServerStatus.FAILED:
            server = self.refresh(server)
        found = self.store.events(owner, name, since)
        cursor = found[-1].id if found else since
        return ServerProgress(self._view(user, server), found, cursor)

    def logs(self, user: str, owner: str, name: str, tail: int = 1000) -> str:
        if not 1 <= tail <= MAX_LOG_LINES:
            raise InvalidParameter(f"tail must be between 1 and {MAX_LOG_LINES}", field="tail")
        server = self._visible(user, owner, name)
        try:
            return self.backend.logs(server, tail)
        except KubeError as exc:
            raise InvalidState(f"cannot read the logs: {exc.message}") from None

    def manifests(self, user: str, owner: str, name: str) -> list[dict[str, Any]]:
        return self.backend.manifests(self._visible(user, owner, name))

    def may_open(self, user: str, owner: str, admin_access: bool = False) -> bool:
        """Whether ``user`` may open ``owner``'s servers through the proxy: their own, and
        everyone's for admins when ``admin_access``."""
        return owner == user or (admin_access and self.is_admin(user))

    def upstream(
        self, user: str, owner: str, name: str, admin_access: bool = False
    ) -> tuple[NotebookServer, Upstream]:
        """Where the proxy forwards ``user``'s request: the owner's only, and admins' too
        when ``admin_access`` (JupyterHub's setting: a user's pages could otherwise act as
        the admin viewing them). Anyone else gets the same 404 as for a missing server;
        the API to list, start, stop and delete servers keeps its own rules (``_visible``)."""
        if not self.may_open(user, owner, admin_access):
            raise NotFound(f"no notebook server {owner}/{name}")
        server = self.store.get(owner, name)
        upstream = self.backend.upstream(server) if server.status.active else None
        if upstream is None:
            raise InvalidState(f"{owner}/{name} is {server.status.value}; start it first")
        return server, upstream

    # -- background work -------------------------------------------------------------------
    def reconcile(self) -> dict[str, int]:
        """At start-up: compare every server of this backend with what runs, and record it."""
        counts: dict[str, int] = {}
        for server in self._all(self.backend.kind):
            try:
                server = self.refresh(server)
            except Exception:  # one broken server must not stop the others
                log.exception("reconciling notebook server %s/%s", server.owner, server.name)
                continue
            counts[server.status.value] = counts.get(server.status.value, 0) + 1
        return counts

    def _all(
        self, backend: str | None = None, statuses: Iterable[ServerStatus] | None = None
    ) -> list[NotebookServer]:
        servers: list[NotebookServer] = []
        token: str | None = None
        while True:
            page = self.store.search(statuses=statuses, max_results=500, page_token=token)
            servers.extend(s for s in page.items if backend is None or s.backend == backend)
            token = page.next_page_token
            if token is None:
                return servers

    def refresh_active(self, include_running: bool) -> None:
        """The monitor's tick: servers on their way somewhere (and, now and then, running
        ones, to notice crashes)."""
        statuses = [ServerStatus.PENDING, ServerStatus.STARTING, ServerStatus.STOPPING]
        if include_running:
            statuses.append(ServerStatus.RUNNING)
        for server in self._all(self.backend.kind, statuses):
            try:
                self.refresh(server)
            except Exception:
                log.exception("refreshing notebook server %s/%s", server.owner, server.name)

    def running_servers(self) -> list[tuple[NotebookServer, Upstream]]:
        result = []
        for server in self._all(self.backend.kind, [ServerStatus.RUNNING]):
            upstream = self.backend.upstream(server)
            if upstream is not None:
                result.append((server, upstream))
        return result

    def record_activity(self, owner: str, name: str, last_activity: int) -> None:
        server = self.store.find(owner, name)
        if server is None or (server.last_activity or 0) >= last_activity:
            return
        server.last_activity = last_activity
        self.store.save(server)

    def cull(self, owner: str, name: str, why: str) -> NotebookServer:
        """Stop an idle server (never delete it)."""
        server = self.store.get(owner, name)
        return self._stop(server, "Culled", why)

    def cull_timeout_s(self, server: NotebookServer) -> int:
        if server.spec.cull_idle_seconds is not None:
            return server.spec.cull_idle_seconds
        return self.options.default_cull_idle_seconds
