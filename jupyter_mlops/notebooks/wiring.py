"""Building the notebook-server parts from the extension's settings, and their lifetime.

Kept out of ``server/extension.py`` (which only declares the traits) so that the
extension stays one page of configuration.
"""

from __future__ import annotations

import dataclasses
import logging
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..database.engine import Database
from ..kube.client import KubeConfig
from .backends.base import BackendContext, NotebookBackend
from .culler import Culler, Supervisor
from .options import from_config
from .service import NotebookService
from .store import SqlNotebookStore

if TYPE_CHECKING:
    from ..auth.service import TokenService

log = logging.getLogger(__name__)


class NotebookServers:
    """The service, its backend and the background supervisor of one extension."""

    def __init__(
        self,
        app: Any,
        database: Database,
        admins: set[str],
        executor: Executor,
        tokens: TokenService | None = None,
    ) -> None:
        shared_namespace = not app.notebook_namespace_template
        options = from_config(
            images=list(app.notebook_images),
            allow_custom_image=app.notebook_allow_custom_image,
            profiles=list(app.notebook_profiles),
            gpu_resources=list(app.notebook_gpu_resources),
            max_gpus=app.notebook_max_gpus,
            quotas=dict(app.notebook_quotas),
            default_cpu=app.notebook_default_cpu,
            default_memory=app.notebook_default_memory,
            default_workspace_size=app.notebook_workspace_size,
            storage_class=app.notebook_storage_class,
            cull_idle_seconds=app.notebook_cull_idle_timeout,
            shared_namespace=shared_namespace,
        )
        self.app = app
        self.context = BackendContext(
            base_url=app.serverapp.base_url,
            state_dir=Path(app.notebook_state_dir).expanduser(),
            tracking_url=app.notebook_tracking_url,
            kube=KubeConfig(
                mode=app.kube_config_mode,
                host=app.kube_api_host,
                config_file=app.kube_config_file,
                context=app.kube_context,
            ),
            service_account=app.notebook_service_account,
            cluster_domain=app.kube_cluster_domain,
            namespace_per_user=not shared_namespace,
            process_policy=app.process_policy,
            sealer=app.sealer,
        )
        # Ours alone (the local backend opens it to users' accounts in multi-user mode).
        self.context.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        backend: NotebookBackend = app.notebook_backend_class(parent=app)
        try:
            backend.setup(self.context)
        except Exception as exc:  # e.g. no kubeconfig: say which setting is at fault
            raise ValueError(
                f"MlopsExtension.notebook_backend_class {type(backend).__name__} cannot start: "
                f"{exc} (see the kube_* settings)"
            ) from exc
        self.backend = backend
        self.service = NotebookService(
            SqlNotebookStore(database),
            backend,
            options,
            admins,
            namespace=app.notebook_namespace,
            namespace_template=app.notebook_namespace_template,
            tokens=tokens,
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
        culler = Culler(self.service, self.executor, max_age_s=self.app.notebook_cull_max_age)
        self.supervisor = Supervisor(
            self.service,
            self.executor,
            culler,
            monitor_interval_s=self.app.notebook_monitor_interval,
            cull_interval_s=self.app.notebook_cull_interval,
        )
        self.supervisor.start()

    async def stop(self) -> None:
        if self.supervisor is not None:
            await self.supervisor.stop()
        self.backend.close()
