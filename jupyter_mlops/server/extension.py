"""The server extension: every setting of the tracking server, and the wiring done once.

Set traits in ``jupyter_server_config.py`` (``c.MlopsExtension.store_uri = ...``) or on
the command line (``--MlopsExtension.store_uri=...``). ``docs/configuration.md`` lists
them all; ``docs/make_config_reference.py`` regenerates it from the help texts below.
"""

from __future__ import annotations

import getpass
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from jupyter_server.auth.identity import (
    IdentityProvider,
    LegacyIdentityProvider,
    PasswordIdentityProvider,
)
from jupyter_server.extension.application import ExtensionApp
from tornado.ioloop import IOLoop
from traitlets import Bool, Integer, Set, TraitError, Unicode, default, validate

from .. import paths
from ..tracking.artifacts import LocalArtifactRepository
from ..tracking.service import TrackingService
from .handlers.base import (
    SETTING_DEFAULT_USER,
    SETTING_EXECUTOR,
    SETTING_MAX_UPLOAD_BYTES,
    SETTING_OPENAPI_PATH,
    SETTING_SERVICE,
    SETTING_SHARED_IDENTITY,
)
from .routes import build_handlers

#: Environment variables that tell the client in a kernel where to log (see client docs).
ENV_TRACKING_URI = "JUPYTER_MLOPS_TRACKING_URI"
ENV_TOKEN = "JUPYTER_MLOPS_TOKEN"

OPENAPI_PATH = Path(__file__).with_name("openapi.yaml")

# jupyter_server's own providers: one shared token (or password), and an invented
# "anonymous" user per browser. Their users are not people, so we name the caller ourselves.
_SHARED_IDENTITY_PROVIDERS = (IdentityProvider, PasswordIdentityProvider, LegacyIdentityProvider)


class MlopsExtension(ExtensionApp):
    """Experiment tracking (and, later, notebook servers and pipelines) for JupyterLab."""

    name = "jupyter_mlops"

    store_uri = Unicode(
        config=True,
        help="""SQLAlchemy URL of the tracking store, e.g.
        ``postgresql+psycopg://user@db/mlops`` for a team. The default is a SQLite file in
        the Jupyter data directory (``<data dir>/mlops/mlops.db``). The schema is created or
        migrated on start-up.""",
    )

    @default("store_uri")
    def _default_store_uri(self) -> str:
        return paths.default_store_uri()

    artifact_root = Unicode(
        config=True,
        help="""Folder that holds every run's artifacts (one sub-folder per experiment and
        run). Use a shared volume when several servers log to the same store. The default is
        ``<data dir>/mlops/artifacts``; it is created when missing.""",
    )

    @default("artifact_root")
    def _default_artifact_root(self) -> str:
        return str(paths.default_artifact_root())

    admin_users = Set(
        Unicode(),
        config=True,
        help="""User names that may change every experiment and run (including the Default
        experiment). Only used with a real identity provider (JupyterHub or a custom
        ``ServerApp.identity_provider_class``); with jupyter_server's own token/password
        login the single user is always an admin.""",
    )

    default_user = Unicode(
        config=True,
        help="""The name recorded as owner of experiments and runs created through this
        server when it uses jupyter_server's own token/password login, which knows no user
        names. Defaults to the operating-system user running the server.""",
    )

    @default("default_user")
    def _default_default_user(self) -> str:
        return getpass.getuser()

    max_workers = Integer(
        8,
        config=True,
        help="""Threads that run store and artifact-file operations off the event loop.
        Raise it for many concurrent clients on PostgreSQL; SQLite serialises writes anyway.""",
    )

    @validate("max_workers")
    def _check_max_workers(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if value < 1:
            raise TraitError("MlopsExtension.max_workers must be at least 1")
        return value

    max_upload_bytes = Integer(
        1024**3,
        config=True,
        help="""Largest artifact, in bytes, accepted by one upload (PUT
        ``mlops/api/runs/<run_id>/artifacts/<path>``); larger ones get HTTP 413. Uploads are
        streamed to disk, so this bounds disk use, not memory. Default: 1 GiB.""",
    )

    @validate("max_upload_bytes")
    def _check_max_upload_bytes(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if value < 1:
            raise TraitError("MlopsExtension.max_upload_bytes must be positive")
        return value

    export_kernel_environment = Bool(
        True,
        config=True,
        help=f"""Once the server listens, set ``{ENV_TRACKING_URI}`` (this server's URL) and
        ``{ENV_TOKEN}`` (its token) in the server's environment, so that every kernel it
        starts logs to it with no setup. This server's URL replaces any value set before:
        runs logged from its notebooks must appear in its own panel, and to log somewhere
        else, configure this server's ``store_uri`` instead. Turn off to let kernels
        inherit the variables unchanged.""",
    )

    # Values of the environment variables before we set them, restored on shutdown.
    _saved_environment: dict[str, str | None]

    def initialize_settings(self) -> None:
        # Imported here: the store pulls in SQLAlchemy and Alembic, which the server should
        # only pay for when the extension is actually enabled.
        from ..tracking.store.sql_store import SqlTrackingStore

        assert self.serverapp is not None
        shared_identity = type(self.serverapp.identity_provider) in _SHARED_IDENTITY_PROVIDERS
        admins = set(self.admin_users)
        if shared_identity:
            admins.add(self.default_user)

        artifact_root = Path(self.artifact_root).expanduser()
        artifact_root.mkdir(parents=True, exist_ok=True)
        # Built here, before the server listens: migrations may take a moment and must not
        # run on the event loop while requests wait.
        store = SqlTrackingStore(self.store_uri)
        service = TrackingService(store, LocalArtifactRepository(artifact_root), admins)
        self._executor = ThreadPoolExecutor(
            max_workers=self.max_workers, thread_name_prefix="jupyter-mlops"
        )
        self.settings.update(
            {
                SETTING_SERVICE: service,
                SETTING_EXECUTOR: self._executor,
                SETTING_DEFAULT_USER: self.default_user,
                SETTING_SHARED_IDENTITY: shared_identity,
                SETTING_MAX_UPLOAD_BYTES: self.max_upload_bytes,
                SETTING_OPENAPI_PATH: OPENAPI_PATH,
            }
        )
        self._service = service
        self._saved_environment = {}
        if self.export_kernel_environment:
            # A callback, not now: it runs once the loop turns, after the server has picked
            # its final port (port 0 and port retries change it during initialisation).
            loop = getattr(self.serverapp, "io_loop", None) or IOLoop.current()
            loop.add_callback(self.export_environment)
        self.log.info(
            "jupyter-mlops: store %s, artifacts in %s", _redact(self.store_uri), artifact_root
        )

    def initialize_handlers(self) -> None:
        # ExtensionApp joins the server's base_url onto each pattern.
        self.handlers.extend(build_handlers())

    def export_environment(self) -> None:
        """Point kernels started from now on at this server (see ``export_kernel_environment``)."""
        assert self.serverapp is not None
        url = self.serverapp.connection_url
        if not url.startswith(("http://", "https://")):
            self.log.warning(
                "jupyter-mlops: not exporting %s: the server listens on %s, which the client "
                "cannot reach",
                ENV_TRACKING_URI,
                url,
            )
            return
        values = {ENV_TRACKING_URI: url, ENV_TOKEN: self.serverapp.identity_provider.token}
        for name, value in values.items():
            self._saved_environment.setdefault(name, os.environ.get(name))
            if value:
                os.environ[name] = value
            else:  # no token (password login or auth disabled): nothing to pass on
                os.environ.pop(name, None)
        self.log.debug("jupyter-mlops: kernels will log to %s", url)

    async def stop_extension(self) -> None:
        for name, value in getattr(self, "_saved_environment", {}).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        executor = getattr(self, "_executor", None)
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        service = getattr(self, "_service", None)
        if service is not None:
            service.store.close()


def _redact(uri: str) -> str:
    """The URI without its password, for logs."""
    scheme, sep, rest = uri.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return uri
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"
