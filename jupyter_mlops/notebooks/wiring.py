"""Building the notebook-server parts from their settings (``c.NotebookServers``,
``c.Kube``), and their lifetime.

Kept out of ``server/extension.py`` so that the extension only wires the domains together.
"""

from __future__ import annotations

import dataclasses
import logging
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Kube, NotebookServers
from ..database.engine import Database
from ..processes import ProcessPolicy
from ..sealed import Sealer
from .backends.base import BackendContext, NotebookBackend
from .culler import Culler, Supervisor
from .options import from_config
from .service import NotebookService
from .store import SqlNotebookStore

if TYPE_CHECKING:
    from ..auth.service import TokenService

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ServerContext:
    """What notebook servers need of the jupyter server that spawns them."""

    base_url: str
    process_policy: ProcessPolicy
    sealer: Sealer


class NotebookServersWiring:
    """The service, its backend and the background supervisor of one extension.

    ``admins_open_others``: the proxy's policy, whether admins may open servers they do
    not own (the service answers it to callers as ``openable``)."""

    def __init__(
        self,
        settings: NotebookServers,
        kube: Kube,
        server: ServerContext,
        database: Database,
        admins: set[str],
        executor: Executor,
        tokens: TokenService | None = None,
        admins_open_others: bool = False,
    ) -> None:
        shared_namespace = not settings.namespace_template
        options = from_config(
            images=list(settings.images),
            allow_custom_image=settings.allow_custom_image,
            profiles=list(settings.profiles),
            gpu_resources=list(settings.gpu_resources),
            max_gpus=settings.max_gpus,
            quotas=dict(settings.quotas),
            default_cpu=settings.default_cpu,
            default_memory=settings.default_memory,
            default_workspace_size=settings.workspace_size,
            storage_class=settings.storage_class,
            cull_idle_seconds=settings.cull_idle_timeout,
            shared_namespace=shared_namespace,
        )
        self.settings = settings
        self.context = BackendContext(
            base_url=server.base_url,
            state_dir=Path(settings.state_dir).expanduser(),
            tracking_url=settings.tracking_url,
            kube=kube.client_config(),
            service_account=settings.service_account,
            cluster_domain=kube.cluster_domain,
            namespace_per_user=not shared_namespace,
            process_policy=server.process_policy,
            sealer=server.sealer,
        )
        # Ours alone (the local backend opens it to users' accounts in multi-user mode).
        self.context.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Its parent is the settings object: ``c.LocalNotebookBackend.*`` still reaches it.
        backend: NotebookBackend = settings.backend_class(parent=settings)
        try:
            backend.setup(self.context)
        except Exception as exc:  # e.g. no kubeconfig: say which setting is at fault
            raise ValueError(
                f"NotebookServers.backend_class {type(backend).__name__} cannot start: "
                f"{exc} (see the Kube settings)"
            ) from exc
        self.backend = backend
        self.service = NotebookService(
            SqlNotebookStore(database),
            backend,
            options,
            admins,
            namespace=settings.namespace,
            namespace_template=settings.namespace_template,
            tokens=tokens,
            admins_open_others=admins_open_others,
        )
        self.executor = executor
        self.supervisor: Supervisor | None = None

    def start(self, tracking_url: str, tracking_token: str) -> None:
        """Once the server listens (its URL is known): start monitoring and culling.

        ``tracking_token`` is what servers get when the service issues no API tokens of
        their own (the extension passes "": its own token would act as everyone)."""
        context = dataclasses.replace(
            self.context,
            tracking_url=self.context.tracking_url or tracking_url,
            tracking_token=tracking_token,
        )
        self.backend.context = context
        culler = Culler(self.service, self.executor, max_age_s=self.settings.cull_max_age)
        self.supervisor = Supervisor(
            self.service,
            self.executor,
            culler,
            monitor_interval_s=self.settings.monitor_interval,
            cull_interval_s=self.settings.cull_interval,
        )
        self.supervisor.start()

    async def stop(self) -> None:
        if self.supervisor is not None:
            await self.supervisor.stop()
        self.backend.close()
