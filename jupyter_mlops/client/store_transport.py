"""Direct store access: the client calls the tracking service in this process.

The transport is a view of the service bound to a user (``BoundService``): every service
method is the transport's method without its ``user``; only file transfers are written
here, since the REST transport streams them.

Used for SQLAlchemy URIs (``sqlite:///...``, ``postgresql+psycopg://...``). Whoever can
open the database can change anything in it, so the caller is the machine's own user
and an admin; the service still validates every input, exactly as over REST.
"""

from __future__ import annotations

import getpass
import logging
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..tracking.entities import FileInfo
from ..tracking.service import DEFAULT_HEARTBEAT_TIMEOUT_S, TrackingService
from ..tracking.store.base import TrackingStore
from .registry import RegistryTransport, registry_store_view
from .service_views import BoundService

if TYPE_CHECKING:
    from ..registry.service import RegistryService

log = logging.getLogger(__name__)


class StoreTransport:
    """A ``TrackingTransport`` over a ``TrackingService`` acting as ``user``."""

    def __init__(
        self,
        service: TrackingService,
        user: str,
        *,
        registry: RegistryService | None = None,
        owned_store: TrackingStore | None = None,
    ) -> None:
        self._service = service
        self._user = user
        self._bound = BoundService(user, service)
        self._registry = registry_store_view(user, registry, service)
        # The store this transport opened itself (from_uri), closed with it.
        self._owned_store = owned_store

    @classmethod
    def from_uri(cls, store_uri: str, artifact_root: Path) -> StoreTransport:
        """Open the store at ``store_uri`` (migrating it if needed) as the local user."""
        # Imported here: the SQL stack is only needed when a client opens a store.
        from ..registry.service import RegistryService
        from ..registry.store import SqlRegistryStore
        from ..tracking.artifacts import LocalArtifactRepository
        from ..tracking.store.sql_store import SqlTrackingStore

        user = getpass.getuser()
        store = SqlTrackingStore(store_uri)
        service = TrackingService(
            store, LocalArtifactRepository(Path(artifact_root)), admin_users=(user,)
        )
        # Built now, not on first registry call: it also tells tracking which logged
        # models exist (a run's model inputs and outputs).
        registry = RegistryService(SqlRegistryStore(store.database), service)
        # No server may watch this store: whoever opens it next marks the dead runs.
        try:
            service.mark_dead_runs(DEFAULT_HEARTBEAT_TIMEOUT_S)
        except Exception as err:  # a busy store is swept by the next opener
            log.debug("jupyter-mlops: dead-run sweep of %s failed: %s", store_uri, err)
        return cls(service, user, registry=registry, owned_store=store)

    @property
    def user(self) -> str:
        return self._user

    def __getattr__(self, name: str) -> Any:
        """The services' methods, bound to this transport's user (``create_run``,
        ``create_registered_model``, ...)."""
        if name.startswith("_"):
            raise AttributeError(name)
        view = self._registry if hasattr(RegistryTransport, name) else self._bound
        return getattr(view, name)

    # -- artifacts -----------------------------------------------------------------------
    def upload_artifact(self, run_id: str, path: str, local_file: Path) -> FileInfo:
        with open(local_file, "rb") as source:
            return self._service.write_artifact(self._user, run_id, path, source)

    def download_artifact(self, run_id: str, path: str, local_file: Path) -> None:
        shutil.copyfile(self._service.artifact_file(self._user, run_id, path), local_file)

    def close(self) -> None:
        if self._owned_store is not None:
            self._owned_store.close()
