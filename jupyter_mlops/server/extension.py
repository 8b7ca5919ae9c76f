"""The server extension: the server's own settings, and the wiring done once.

Each domain has a settings class of its own in ``jupyter_mlops.config`` (``c.Tracking``,
``c.NotebookServers``, ``c.Pipelines``, ``c.Scoring``, ``c.Kube``); ``initialize_settings``
builds one of each with this app as parent and hands each domain's wiring the object it
needs. What stays here is the server's own, shared by every domain: who the users are and
what they may do (``user_mode``, ``admin_users``, ``default_user``, ``admin_access``,
``local_account_template``, ``child_environment_allowlist``), how requests are served
(``subdomain_host``, ``max_workers``, and the body limits that the base handler enforces for
every domain's API: ``max_json_body_bytes``, ``max_upload_bytes``), the key of its secrets
(``crypt_key``), and what the kernels this server starts get (``export_kernel_environment``,
``kernel_magics``).

Set traits in ``jupyter_server_config.py`` (``c.MlopsExtension.admin_users = ...``,
``c.Tracking.store_uri = ...``) or on the command line (``--Tracking.store_uri=...``).
``docs/configuration.md`` lists them all; ``docs/make_config_reference.py`` regenerates it
from the help texts. The old flat names (``c.MlopsExtension.store_uri``) still work for one
release (``jupyter_mlops.config.legacy``).
"""

from __future__ import annotations

import getpass
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from jupyter_server.extension.application import ExtensionApp
from tornado.ioloop import IOLoop, PeriodicCallback
from traitlets import (
    Bool,
    CaselessStrEnum,
    Integer,
    List,
    Set,
    TraitError,
    TraitType,
    Unicode,
    default,
    validate,
)
from traitlets.config import Config

from .. import paths
from ..config import SETTINGS_CLASSES, Kube, NotebookServers, Pipelines, Scoring, Tracking
from ..config.legacy import migrate_legacy_names, without_legacy_names
from ..processes import DEFAULT_ENVIRONMENT_ALLOWLIST, ProcessPolicy, UserMode
from ..sealed import Sealer
from ..tracking.artifacts import LocalArtifactRepository
from ..tracking.service import TrackingService
from .handlers.base import (
    SETTING_DEFAULT_USER,
    SETTING_EXECUTOR,
    SETTING_MAX_JSON_BYTES,
    SETTING_MAX_UPLOAD_BYTES,
    SETTING_NOTEBOOK_SERVICE,
    SETTING_OPENAPI_PATH,
    SETTING_PIPELINE_SERVICE,
    SETTING_PROCESS_POLICY,
    SETTING_PROXY_POLICY,
    SETTING_REGISTRY_SERVICE,
    SETTING_SCORING_POOL,
    SETTING_SERVICE,
    SETTING_SHARED_IDENTITY,
    SETTING_TOKEN_SERVICE,
    SETTING_USER_MODE,
)
from .proxy_policy import ProxyPolicy
from .routes import build_handlers
from .user_mode import SHARED_IDENTITY_PROVIDERS, MultiUserAuthorizer, derive_user_mode

#: Environment variables that tell the client in a kernel where to log (see client docs).
ENV_TRACKING_URI = "JUPYTER_MLOPS_TRACKING_URI"
ENV_TOKEN = "JUPYTER_MLOPS_TOKEN"

OPENAPI_PATH = Path(__file__).with_name("openapi.yaml")

#: ``ServerApp.max_body_size`` in multi-user mode unless configured (jupyter_server's: 512 MiB).
MULTI_USER_MAX_BODY_BYTES = 64 * 1024**2


class MlopsExtension(ExtensionApp):
    """Experiment tracking, model registry, notebook servers and pipelines for JupyterLab.

    Its own settings are the server's: who the users are and what they may do, request
    limits, the key of its secrets and the kernels' environment. Each domain's settings
    are a class of their own (``Tracking``, ``NotebookServers``, ``Pipelines``,
    ``Scoring``, ``Kube``)."""

    name = "jupyter_mlops"

    # Listed so that ``--help-all``, ``--generate-config`` and the command line know them.
    classes = [*ExtensionApp.classes, *SETTINGS_CLASSES]

    user_mode = CaselessStrEnum(
        ["auto", UserMode.SINGLE.value, UserMode.MULTI.value],
        default_value="auto",
        config=True,
        help="""``single-user``: one person owns this server and the machine account it runs
        as (jupyter_server's own token or password login); their notebook servers, pipeline
        steps and scoring workers run as that account. ``multi-user``: an identity provider
        names several users (JupyterHub's, or a custom ``ServerApp.identity_provider_class``);
        only admins may use jupyter_server's kernels, terminals and files here, and local
        backends run each user's processes as the user's own OS account (the server must run
        as root for that), or refuse. ``auto`` (default): single-user with jupyter_server's
        own login, multi-user with any other identity provider. See docs/security.md.""",
    )

    local_account_template = Unicode(
        "{username}",
        config=True,
        help="""Multi-user mode, local backends: the operating-system account a user's
        processes run as, from ``{username}`` (lower-cased). The account must exist and be
        neither root nor the server's own.""",
    )

    child_environment_allowlist = List(
        Unicode(),
        config=True,
        help=f"""Environment variables (``fnmatch`` patterns) that processes this server
        starts inherit from it, besides the built-in list
        ({", ".join(DEFAULT_ENVIRONMENT_ALLOWLIST)}). Tokens, passwords and secrets are
        never passed on, whatever this says.""",
    )

    admin_access = Bool(
        False,
        config=True,
        help="""Whether admins may open other users' notebook servers through the proxy (as
        JupyterHub's ``admin_access``). Off by default: a user's page could otherwise script
        an admin's session. Admins may always list, start, stop and delete them.""",
    )

    subdomain_host = Unicode(
        "",
        config=True,
        help="""Serve each user's notebook servers from a subdomain of their own, as
        JupyterHub does: ``https://example.com`` serves alice's at
        ``https://alice.example.com{base_url}mlops/servers/alice/...``. Without it (default)
        every proxied page is served on this server's origin under a sandboxing
        Content-Security-Policy, which keeps its scripts away from this origin's cookies
        and APIs. Needs a wildcard DNS entry and certificate.""",
    )

    max_json_body_bytes = Integer(
        16 * 1024**2,
        config=True,
        help="""Largest JSON request body accepted by the API; larger ones get HTTP 413
        before they are read. Artifact uploads have their own limit,
        ``max_upload_bytes``. Default: 16 MiB.""",
    )

    @validate("max_json_body_bytes")
    def _check_max_json_body_bytes(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if value < 1024:
            raise TraitError("MlopsExtension.max_json_body_bytes must be at least 1024")
        return value

    crypt_key = Unicode(
        config=True,
        help="""Key that encrypts secrets this server must keep, such as the tokens of
        notebook servers (Fernet: 32 url-safe base64-encoded bytes). Replicas of one team
        server need the same key. Default: read from ``<data dir>/mlops/crypt_key``,
        created there (mode 0600) when missing.""",
    )

    @default("crypt_key")
    def _default_crypt_key(self) -> str:
        from ..sealed import load_or_create_key

        return load_or_create_key(paths.default_data_dir() / "crypt_key")

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
        else, configure this server's ``Tracking.store_uri`` instead. Turn off to let kernels
        inherit the variables unchanged.""",
    )

    kernel_magics = Bool(
        True,
        config=True,
        help="""Load the ``%track`` / ``%%track`` magics into every IPython kernel this server
        starts (no ``%load_ext jupyter_mlops`` needed): kernels get ``PYTHONSTARTUP`` pointing
        at a small jupyter-mlops startup file, which then runs the ``PYTHONSTARTUP`` the server
        had before, if any. Only applies with ``export_kernel_environment``.""",
    )

    # The domains' settings (``jupyter_mlops.config``), built by initialize_settings.
    tracking: Tracking
    notebook_servers: NotebookServers
    pipelines: Pipelines
    scoring: Scoring
    kube: Kube

    # Values of the environment variables before we set them, restored on shutdown.
    _saved_environment: dict[str, str | None]

    def _load_config(
        self,
        cfg: Config,
        section_names: list[str] | None = None,
        traits: dict[str, TraitType[Any, Any]] | None = None,
    ) -> None:
        # The old flat names are no traits of ours any more: initialize_settings moves them,
        # with one warning each, instead of traitlets calling them unknown at every load.
        super()._load_config(without_legacy_names(cfg), section_names, traits)

    def initialize_settings(self) -> None:
        # Imported here: the store pulls in SQLAlchemy and Alembic, which the server should
        # only pay for when the extension is actually enabled.
        from ..tracking.store.sql_store import SqlTrackingStore
        from .body_gate import install_body_gate
        from .log_redaction import install_log_redaction

        install_log_redaction()  # no token value in any log line of this process
        assert self.serverapp is not None
        install_body_gate(self.serverapp.web_app)  # who calls, before any body is read
        mode, shared_identity, admins = self._configure_user_mode()
        policy = self.process_policy
        self._build_domain_settings()

        artifact_root = Path(self.tracking.artifact_root).expanduser()
        # Private (0700): users' processes reach artifacts through the API, never the disk.
        artifact_root.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Built here, before the server listens: migrations may take a moment and must not
        # run on the event loop while requests wait.
        store = SqlTrackingStore(self.tracking.store_uri)
        service = TrackingService(
            store,
            LocalArtifactRepository(artifact_root),
            admins,
            external_artifact_stores=self.tracking.external_artifact_stores,
        )
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
                SETTING_MAX_JSON_BYTES: self.max_json_body_bytes,
                SETTING_OPENAPI_PATH: OPENAPI_PATH,
                SETTING_USER_MODE: mode,
                SETTING_PROCESS_POLICY: policy,
                SETTING_PROXY_POLICY: ProxyPolicy(
                    admin_access=self.admin_access,
                    subdomain_host=self.subdomain_host,
                    single_user=mode is UserMode.SINGLE,
                ),
            }
        )
        self._service = service
        from ..registry.service import RegistryService
        from ..registry.store import SqlRegistryStore

        self.settings[SETTING_REGISTRY_SERVICE] = RegistryService(
            SqlRegistryStore(store.database), service
        )
        self._saved_environment = {}
        from ..auth import SqlTokenStore, TokenService

        tokens = TokenService(SqlTokenStore(store.database), admins)
        self.settings[SETTING_TOKEN_SERVICE] = tokens
        self._build_user_processes(store.database, service, admins, tokens)
        # Callbacks, not now: they run once the loop turns, after the server has picked its
        # final port (port 0 and port retries change it during initialisation).
        loop = getattr(self.serverapp, "io_loop", None) or IOLoop.current()
        loop.add_callback(self.start_background_work)
        self.log.info(
            "jupyter-mlops: %s mode, store %s, artifacts in %s",
            mode.value,
            _redact(self.tracking.store_uri),
            artifact_root,
        )
        if mode is UserMode.MULTI and not policy.can_switch_accounts:
            self.log.warning(
                "jupyter-mlops: multi-user mode, but this server is not root: the local "
                "backends will refuse to run users' processes (use the Kubernetes backends)"
            )

    def _build_domain_settings(self) -> None:
        """One settings object per domain, with this app as parent so that ``c.Tracking.*``
        and the like reach them; old flat names (``c.MlopsExtension.store_uri``) first go to
        their new sections, with a warning each."""
        migrate_legacy_names(self.config, self.log)
        self.tracking = Tracking(parent=self)
        self.notebook_servers = NotebookServers(parent=self)
        self.pipelines = Pipelines(parent=self)
        self.scoring = Scoring(parent=self)
        self.kube = Kube(parent=self)

    def _configure_user_mode(self) -> tuple[UserMode, bool, set[str]]:
        """The mode, whether the caller is named by us, and the admins; sets
        ``process_policy`` and ``sealer``, and in multi-user mode keeps jupyter_server's own
        code and file endpoints for admins."""
        assert self.serverapp is not None
        identity_provider = self.serverapp.identity_provider
        mode = derive_user_mode(identity_provider, self.user_mode)
        # jupyter_server's own login names nobody: we name its caller (default_user).
        shared_identity = type(identity_provider) in SHARED_IDENTITY_PROVIDERS
        if mode is UserMode.SINGLE and not shared_identity:
            self.log.warning(
                "jupyter-mlops: single-user mode with %s, which names several users: they "
                "all run code as this server's account",
                type(identity_provider).__name__,
            )
        admins = set(self.admin_users)
        if shared_identity:
            admins.add(self.default_user)
        if mode is UserMode.MULTI:
            self._restrict_server_endpoints(frozenset(admins), shared_identity)
            # Users' processes run on this machine: our runtime files (the cookie secret, our
            # token in jpserver-*-open.html) stay ours, whoever made the folder (0700).
            runtime_dir = Path(self.serverapp.runtime_dir)
            if runtime_dir.is_dir() and runtime_dir.stat().st_uid == os.geteuid():
                os.chmod(runtime_dir, 0o700)
        # Read by the notebook-server, pipeline and scoring wiring.
        self.process_policy = ProcessPolicy(
            mode=mode,
            account_template=self.local_account_template,
            allowlist=(*DEFAULT_ENVIRONMENT_ALLOWLIST, *self.child_environment_allowlist),
        )
        self.sealer = Sealer(self.crypt_key)
        return mode, shared_identity, admins

    def _build_user_processes(
        self, database: Any, tracking: TrackingService, admins: set[str], tokens: Any
    ) -> None:
        """The domains that start processes for users: notebook servers, pipelines and the
        scoring workers of predict."""
        from ..notebooks.wiring import NotebookServersWiring, ServerContext

        assert self.serverapp is not None
        server = ServerContext(self.serverapp.base_url, self.process_policy, self.sealer)
        self._notebook_servers = NotebookServersWiring(
            self.notebook_servers,
            self.kube,
            server,
            database=database,
            admins=admins,
            executor=self._executor,
            tokens=tokens,
            admins_open_others=self.settings[SETTING_PROXY_POLICY].admins_open_others,
        )
        self.settings[SETTING_NOTEBOOK_SERVICE] = self._notebook_servers.service
        from ..pipelines.server.wiring import PipelinesWiring

        self._pipelines = PipelinesWiring(
            self.pipelines,
            self.kube,
            server_url=self.server_url,
            process_policy=self.process_policy,
            database=database,
            tracking=tracking,
            admins=admins,
            tokens=tokens,
            root_dir=Path(self.serverapp.root_dir),
        )
        self.settings[SETTING_PIPELINE_SERVICE] = self._pipelines.service
        from ..models.scoring.pool import ScoringPool

        # Models are user code: loaded in scoring worker processes, never in this one.
        self._scoring = ScoringPool(
            self.process_policy,
            python=self.scoring.python or None,
            idle_timeout=self.scoring.idle_timeout,
            max_workers=self.scoring.max_workers,
            executor=self._executor,
            launcher=self._scoring_launcher(tokens),
        )
        self.settings[SETTING_SCORING_POOL] = self._scoring

    def _scoring_launcher(self, tokens: Any) -> Any:
        """Pods for scoring workers where notebook servers run on Kubernetes (or when
        ``Scoring.backend`` says so); None: local processes."""
        backend = self.scoring.backend.lower()
        if backend == "auto":
            kubernetes = _is_kubernetes(self.notebook_servers.backend_class)
            backend = "kubernetes" if kubernetes else "local"
        if backend != "kubernetes":
            return None
        from ..models.scoring.kube_launcher import KubeLauncher, KubeScoringSettings

        # Scoring pods live beside pipeline step pods: same namespace, URL and polling.
        pipelines = self.pipelines
        settings = KubeScoringSettings(
            namespace=pipelines.namespace,
            image=self.scoring.image or pipelines.default_image,
            tracking_uri=lambda: pipelines.tracking_url or self.server_url(),
            kube_config=self.kube.client_config(),
            port=self.scoring.pod_port,
            poll_interval=pipelines.poll_interval,
            default_owner=self.default_user,
        )
        return KubeLauncher(settings, tokens, self._executor)

    def server_url(self) -> str:
        """This server's URL, once it listens on an http(s) address; else empty."""
        url = str(getattr(self.serverapp, "connection_url", "") or "")
        return url if url.startswith(("http://", "https://")) else ""

    def _restrict_server_endpoints(self, admins: frozenset[str], shared_identity: bool) -> None:
        """Multi-user mode: jupyter_server's kernels, terminals and files become admins'
        only (see ``user_mode.MultiUserAuthorizer``)."""
        assert self.serverapp is not None
        inner = self.serverapp.authorizer
        wrapped = MultiUserAuthorizer(
            inner,
            admins,
            shared_identity,
            parent=self.serverapp,
            identity_provider=inner.identity_provider,
        )
        self.serverapp.authorizer = wrapped
        # jupyter_server's own handlers read a body before they authenticate: bound what a
        # stranger can make a shared server hold (ours stream, with limits of their own).
        # The HTTP server is made after extensions load, so this takes effect.
        if "max_body_size" not in self.serverapp.config.get("ServerApp", {}):
            self.serverapp.max_body_size = MULTI_USER_MAX_BODY_BYTES
        # ExtensionApp copies our settings over the web app's once we return.
        self.settings["authorizer"] = self.serverapp.web_app.settings["authorizer"] = wrapped

    def initialize_handlers(self) -> None:
        # ExtensionApp joins the server's base_url onto each pattern.
        self.handlers.extend(build_handlers())
        from .proxy import proxy_handlers  # notebook servers, outside mlops/api

        self.handlers.extend(proxy_handlers())
        from .mlflow.routes import build_mlflow_handlers  # the MLflow-compatible API

        self.handlers.extend(build_mlflow_handlers())

    async def export_environment(self) -> None:
        """Point kernels started from now on at this server (see ``export_kernel_environment``).

        They get this server's URL and, in single-user mode, an API token of the user
        (``jupyter_mlops.auth``): it works on our APIs only, never on jupyter_server's own
        (kernels, contents), and is revoked when the server stops. In multi-user mode the
        kernels here are admins' (see ``user_mode``), and they get no token: whose would it be?
        """
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
        token = None
        if self.process_policy.mode is UserMode.SINGLE:
            tokens = self.settings[SETTING_TOKEN_SERVICE]
            token = await IOLoop.current().run_in_executor(
                self._executor, tokens.issue_kernel_token, self.default_user, url
            )
        values: dict[str, str | None] = {ENV_TRACKING_URI: url, ENV_TOKEN: token}
        values.update(_kernel_magics_environment(self.serverapp.root_dir, self.kernel_magics))
        for name, value in values.items():
            self._saved_environment.setdefault(name, os.environ.get(name))
            if value:
                os.environ[name] = value
            else:
                os.environ.pop(name, None)
        self.log.debug("jupyter-mlops: kernels will log to %s", url)

    async def start_background_work(self) -> None:
        """Once the server listens: export the kernels' environment, monitor and cull
        notebook servers, and reconcile and schedule pipeline runs."""
        assert self.serverapp is not None
        url = self.serverapp.connection_url
        url = url if url.startswith("http") else ""
        # Processes we start get API tokens of their owners (never this server's own
        # token, which would let their code act as anyone).
        self._notebook_servers.start(url, "")
        # Reconciling pipeline runs reads the store (and the cluster): off the event loop.
        await IOLoop.current().run_in_executor(self._executor, self._pipelines.start, url, "")
        if self.export_kernel_environment:
            await self.export_environment()
        self._start_dead_run_sweep()

    def _start_dead_run_sweep(self) -> None:
        """Mark runs whose heartbeats stopped as KILLED, every quarter of the timeout."""
        timeout = self.tracking.heartbeat_timeout
        if timeout <= 0:
            return

        async def sweep() -> None:
            try:
                marked = await IOLoop.current().run_in_executor(
                    self._executor, self._service.mark_dead_runs, timeout
                )
            except Exception:  # the next sweep tries again
                self.log.warning("jupyter-mlops: the dead-run sweep failed", exc_info=True)
                return
            if marked:
                self.log.info("jupyter-mlops: %d run(s) lost their heartbeat: KILLED", marked)

        self._dead_run_sweep = PeriodicCallback(sweep, max(1.0, timeout / 4) * 1000)
        self._dead_run_sweep.start()

    async def stop_extension(self) -> None:
        sweep = getattr(self, "_dead_run_sweep", None)
        if sweep is not None:
            sweep.stop()
        scoring = getattr(self, "_scoring", None)
        if scoring is not None:
            await scoring.stop()  # signals and waits on the loop; folders go in a thread
        notebook_servers = getattr(self, "_notebook_servers", None)
        if notebook_servers is not None:
            await notebook_servers.stop()
        pipelines = getattr(self, "_pipelines", None)
        if pipelines is not None:
            # Joins threads and kills local steps: off the event loop.
            await IOLoop.current().run_in_executor(None, pipelines.stop)
        if self.settings.get(SETTING_TOKEN_SERVICE) is not None and self.serverapp is not None:
            tokens = self.settings[SETTING_TOKEN_SERVICE]
            await IOLoop.current().run_in_executor(
                self._executor, tokens.revoke_kernel_tokens, self.serverapp.connection_url
            )
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


def _kernel_magics_environment(root_dir: str, load_magics: bool) -> dict[str, str | None]:
    """Variables for kernels: the server root (notebook paths in run context are relative
    to it) and, with ``load_magics``, a ``PYTHONSTARTUP`` that loads the %track magics
    (see ``jupyter_mlops.magics.autoload``)."""
    from ..client.context import ENV_SERVER_ROOT
    from ..magics.autoload import ENV_USER_STARTUP, STARTUP_FILE

    values: dict[str, str | None] = {ENV_SERVER_ROOT: os.path.abspath(root_dir)}
    if load_magics:
        previous = os.environ.get("PYTHONSTARTUP")
        if previous != str(STARTUP_FILE):  # keep the user's own file, run after ours
            values[ENV_USER_STARTUP] = previous
        values["PYTHONSTARTUP"] = str(STARTUP_FILE)
    return values


def _redact(uri: str) -> str:
    """The URI without its password, for logs."""
    scheme, sep, rest = uri.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return uri
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"


def _is_kubernetes(backend_class: Any) -> bool:
    """Whether notebook servers of ``backend_class`` run on Kubernetes (Kubeflow too)."""
    from ..notebooks.backends.kubernetes import KubernetesNotebookBackend

    return isinstance(backend_class, type) and issubclass(backend_class, KubernetesNotebookBackend)
