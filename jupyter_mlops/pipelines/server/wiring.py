"""Building the pipeline parts from their settings (``c.Pipelines``, ``c.Kube``), and their
lifetime: the service, its backends (``local`` always; ``Pipelines.backend_class`` too),
the scheduler and, for cluster backends, the reconcile loop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ...config import Kube, Pipelines
from ...database.engine import Database
from ...processes import ProcessPolicy
from ...tracking.service import TrackingService
from .backends.base import BackendSettings, PipelineBackend
from .backends.local import LocalBackend
from .engine import RunEngine
from .schedules import Scheduler
from .service import PipelineService
from .store.sql_store import SqlPipelineStore

if TYPE_CHECKING:
    from ...auth.service import TokenService

log = logging.getLogger(__name__)


class PipelinesWiring:
    """The pipeline service and its background work for one server extension.

    ``server_url`` gives this server's http(s) URL once it listens ("" before);
    ``root_dir`` is the server's root folder, whose pipeline files the service compiles
    (None: none)."""

    def __init__(
        self,
        settings: Pipelines,
        kube: Kube,
        server_url: Callable[[], str],
        process_policy: ProcessPolicy,
        database: Database,
        tracking: TrackingService,
        admins: set[str],
        tokens: TokenService | None = None,
        root_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self.engine = RunEngine(SqlPipelineStore(database), tracking)
        # Local steps run user code: never with the store URI (its credentials) or the
        # artifact folder. They log to this server (its URL is known in start()) with an
        # API token of the run's owner, issued per run, and run as the process policy says
        # (multi-user mode: as the owner's OS account).
        local_settings = BackendSettings(
            parallelism=settings.parallelism,
            tracking_uri_source=server_url,
            tokens=tokens,
            process_policy=process_policy,
        )
        backends: dict[str, PipelineBackend] = {"local": LocalBackend(self.engine, local_settings)}
        backend_class: type[PipelineBackend] = settings.backend_class
        if backend_class.name != "local":
            cluster_settings = BackendSettings(
                parallelism=settings.parallelism,
                tracking_uri=settings.tracking_url,
                namespace=settings.namespace,
                default_image=settings.default_image,
                service_account=settings.service_account or None,
                kube_config=kube.client_config(),
                poll_interval=settings.poll_interval,
                # Each run's steps act as its owner, with an API token of the run's own.
                tokens=tokens,
            )
            backends[backend_class.name] = backend_class(self.engine, cluster_settings)
        self.backends = backends
        self.service = PipelineService(
            self.engine,
            backends,
            backend_class.name,
            admins,
            root_dir=root_dir,
            process_policy=process_policy,
        )
        self.scheduler = Scheduler(self.service, settings.schedule_interval)
        self._stop = threading.Event()
        self._reconciler: threading.Thread | None = None

    def start(self, server_url: str, token: str) -> None:
        """Once the server listens: reconcile (no run stays RUNNING without a driver),
        start the scheduler and, for cluster backends, the reconcile loop."""
        for backend in self.backends.values():
            if backend.name == "local":
                # Where its steps log; without an http(s) URL it refuses runs (check_owner).
                backend.settings.tracking_uri = server_url
                continue
            # A configured URL (how pods reach this server on a cluster) still needs a
            # token: without it, steps can neither fetch the runtime nor log. ``token`` is
            # only for backends that issue no API token per run (no token service).
            if not backend.settings.tracking_uri:
                backend.settings.tracking_uri = server_url
            if backend.settings.tracking_token is None:
                backend.settings.tracking_token = token or None
        try:
            self.service.reconcile()
        except Exception:
            log.exception("jupyter-mlops: reconciling pipeline runs failed")
        self.scheduler.start()
        if any(backend.name != "local" for backend in self.backends.values()):
            self._reconciler = threading.Thread(
                target=self._reconcile_loop, name="mlops-pipeline-reconcile", daemon=True
            )
            self._reconciler.start()

    def _reconcile_loop(self) -> None:
        interval = self.settings.poll_interval
        while not self._stop.wait(interval):
            for backend in self.backends.values():
                if backend.name == "local":
                    continue
                try:
                    backend.reconcile()
                except Exception:
                    log.exception("jupyter-mlops: %s pipeline reconcile pass failed", backend.name)

    def stop(self) -> None:
        self._stop.set()
        self.scheduler.stop()
        if self._reconciler is not None:
            self._reconciler.join(timeout=10)
        self.service.close()
