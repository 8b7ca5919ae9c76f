"""Scoring workers as Kubernetes pods: where the notebook servers run on Kubernetes, so do
the models (``MlopsExtension.scoring_backend``).

For each worker the launcher issues an API token of the model's owner (revoked once the
pod is ready, or when a pod that never was is deleted) and a random shared secret, writes
both into a Secret of the pod's own, and creates the pod (``manifests.build_scoring_pod``).
The pod fetches this server's runtime when its image lacks jupyter-mlops, downloads the
version's files through our API as the owner, and runs :mod:`.worker` on TCP. Once the
pod is Running and Ready, the server connects to its IP; every connection starts with the
shared secret, so only this server can use the worker. No OS account is involved: the pod
is the isolation.

Every call of the ``kubernetes`` client blocks: they run in the executor, never on the
event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import MLOpsError
from ...kube.client import KubeApi, KubeConfig, KubeError
from ...kube.names import multi_slug, safe_slug
from .manifests import CONTAINER, ScoringPodSpec, build_scoring_pod, build_scoring_secret
from .pool import (
    START_TIMEOUT_S,
    Connection,
    ModelNotLoadable,
    ScoringUnavailable,
    WorkerError,
    WorkerHandle,
)
from .targets import ScoringTarget
from .worker import frame_secret

if TYPE_CHECKING:
    from ...auth.service import TokenService

log = logging.getLogger(__name__)

#: Waiting reasons of a container that will not start without someone's help.
STUCK_REASONS = {
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "CrashLoopBackOff",
}
#: Lines of a failed pod's log read, and quoted in the error.
LOG_TAIL = 20
LOG_QUOTED = 5


@dataclass
class KubeScoringSettings:
    """Where and how scoring pods run."""

    namespace: str
    image: str
    #: This server's URL as pods reach it (read when a worker starts: known once we listen).
    tracking_uri: Callable[[], str]
    kube_config: KubeConfig
    port: int = 8080
    poll_interval: float = 2.0
    start_timeout: float = START_TIMEOUT_S
    #: Whose token a worker gets when the target names no owner (single-user mode).
    default_owner: str = ""


class _PodWorker:
    """A worker pod that is Ready (a ``WorkerHandle``)."""

    pid: int | None = None

    def __init__(self, launcher: KubeLauncher, name: str, host: str, shared: str) -> None:
        self.launcher = launcher
        self.name = name
        self.host = host
        self._secret = frame_secret(shared.encode("utf-8"))
        self.detail = f"pod {launcher.settings.namespace}/{name}"
        self.exited: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._stopping: asyncio.Future[None] | None = None
        self._watch = asyncio.ensure_future(self._watch_pod())

    async def connect(self) -> Connection:
        reader, writer = await asyncio.open_connection(self.host, self.launcher.settings.port)
        writer.write(self._secret)  # the worker answers nothing else
        await writer.drain()
        return reader, writer

    async def stop(self) -> None:
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
        await asyncio.shield(self._stopping)

    async def _stop(self) -> None:
        self._watch.cancel()
        try:
            await self.launcher.release(self.name)
        finally:
            if not self.exited.done():
                self.exited.set_result(None)

    async def _watch_pod(self) -> None:
        """The pod's end (deleted, evicted, failed) is the worker's."""
        while True:
            await asyncio.sleep(self.launcher.settings.poll_interval)
            try:
                pod = await self.launcher.blocking(self.launcher.read_pod, self.name)
            except KubeError as err:
                log.warning("jupyter-mlops: cannot read scoring pod %s: %s", self.name, err)
                continue
            if pod is None or (pod.get("status") or {}).get("phase") != "Running":
                if not self.exited.done():
                    self.exited.set_result(None)
                return


class KubeLauncher:
    """Starts scoring workers as pods (a ``WorkerLauncher``); see the module docstring."""

    def __init__(
        self,
        settings: KubeScoringSettings,
        tokens: TokenService,
        executor: Executor | None = None,
        api: KubeApi | None = None,
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self._executor = executor
        self._api = api
        self._api_lock = threading.Lock()

    def api(self) -> KubeApi:
        """The API client, built on first use (it reads configuration files: blocking)."""
        with self._api_lock:
            if self._api is None:
                self._api = KubeApi.from_config(self.settings.kube_config)
            return self._api

    async def blocking(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def start(self, target: ScoringTarget, serial: int) -> WorkerHandle:
        owner = target.owner or self.settings.default_owner
        if not owner:
            raise ScoringUnavailable("a scoring pod needs the model's owner", field="name")
        tracking_uri = self.settings.tracking_uri()
        if not tracking_uri:
            raise ScoringUnavailable(
                "scoring pods download the model from this server, which has no URL they "
                "can reach yet: set MlopsExtension.pipeline_tracking_url",
                field="name",
            )
        name = pod_name(target, "r" + secrets.token_hex(3))
        spec = ScoringPodSpec(
            name=name,
            namespace=self.settings.namespace,
            owner=owner,
            model_name=target.name,
            model_version=target.version,
            image=self.settings.image,
            tracking_uri=tracking_uri,
            port=self.settings.port,
        )
        shared = secrets.token_urlsafe(32)
        try:
            await self.blocking(self._create, spec, shared)
            host = await self._wait_ready(target, name)
            # Ready: the model is downloaded and loaded, the token has served its purpose.
            await self.blocking(self.tokens.revoke_scoring_tokens, name)
        except BaseException:
            await asyncio.shield(self.release(name))
            raise
        return _PodWorker(self, name, host, shared)

    async def close(self) -> None:
        if self._api is not None:
            await self.blocking(self._api.close)

    async def release(self, name: str) -> None:
        """The worker's token (if still alive) stops working; its pod and Secret go."""
        await self.blocking(self._release, name)

    # -- blocking --------------------------------------------------------------------------
    def _create(self, spec: ScoringPodSpec, shared: str) -> None:
        token = self.tokens.issue_scoring_token(spec.owner, spec.name)
        api = self.api()
        namespace = self.settings.namespace
        try:
            api.call(
                api.core.create_namespaced_secret,
                namespace,
                build_scoring_secret(spec, token, shared),
            )
            api.call(api.core.create_namespaced_pod, namespace, build_scoring_pod(spec))
        except KubeError as err:
            raise ScoringUnavailable(
                f"cannot create the scoring pod {spec.name} in namespace {namespace}: {err}",
                field="name",
            ) from err

    def _release(self, name: str) -> None:
        self.tokens.revoke_scoring_tokens(name)  # first: a leftover Secret holds a dead token
        api = self.api()
        namespace = self.settings.namespace
        for delete in (api.core.delete_namespaced_pod, api.core.delete_namespaced_secret):
            try:
                api.delete_if_exists(delete, name, namespace)
            except KubeError as err:
                log.warning("jupyter-mlops: cannot delete scoring object %s: %s", name, err)

    def read_pod(self, name: str) -> dict[str, Any] | None:
        api = self.api()
        pod: dict[str, Any] | None = api.get_or_none(
            api.core.read_namespaced_pod, name, self.settings.namespace
        )
        return pod

    def _log_lines(self, name: str) -> list[str]:
        """The last lines of the pod's log (its worker's report is among them)."""
        api = self.api()
        with contextlib.suppress(KubeError):
            text = api.call(
                api.core.read_namespaced_pod_log,
                name,
                self.settings.namespace,
                container=CONTAINER,
                tail_lines=LOG_TAIL,
            )
            return [line for line in str(text or "").splitlines() if line.strip()]
        return []

    # -- waiting for the pod ---------------------------------------------------------------
    async def _wait_ready(self, target: ScoringTarget, name: str) -> str:
        """The pod's IP once it is Running and Ready; an MLOpsError when it never will be."""
        what = f"version {target.version} of {target.name!r}"
        deadline = time.monotonic() + self.settings.start_timeout
        interval = min(self.settings.poll_interval, 1.0)
        while time.monotonic() < deadline:
            pod = await self.blocking(self.read_pod, name)
            host = await self._check(pod, name, what)
            if host:
                return host
            await asyncio.sleep(interval)
        raise ScoringUnavailable(
            f"the scoring pod {name} of {what} was not ready within "
            f"{self.settings.start_timeout:.0f} s",
            field="name",
        )

    async def _check(self, pod: dict[str, Any] | None, name: str, what: str) -> str:
        """The pod's IP when it is ready; '' while it may still become so; else raises."""
        if pod is None:
            raise ScoringUnavailable(f"the scoring pod {name} of {what} was deleted", field="name")
        status = pod.get("status") or {}
        phase = status.get("phase")
        if phase in ("Failed", "Succeeded"):
            lines = await self.blocking(self._log_lines, name)
            raise _failed_load(name, what, lines)
        for container in status.get("containerStatuses") or []:
            waiting = (container.get("state") or {}).get("waiting") or {}
            if waiting.get("reason") in STUCK_REASONS:
                raise ScoringUnavailable(
                    f"the scoring pod {name} of {what} cannot start: {waiting['reason']}: "
                    f"{waiting.get('message', '')}".rstrip(": "),
                    field="name",
                )
        ready = any(
            c.get("type") == "Ready" and c.get("status") == "True"
            for c in status.get("conditions") or []
        )
        return str(status.get("podIP") or "") if phase == "Running" and ready else ""


def _failed_load(name: str, what: str, lines: list[str]) -> MLOpsError:
    """The error of a pod that ended before it was ready: the worker's own report line
    when it wrote one (our errors keep their status, as with local workers)."""
    for line in reversed(lines):
        try:
            report = json.loads(line)
        except ValueError:
            continue
        error = report.get("error") if isinstance(report, dict) else None
        if isinstance(error, dict):
            status, message = error.get("status"), str(error.get("message", ""))
            if isinstance(status, int) and 400 <= status < 500:
                return WorkerError(status, str(error.get("code")), message, error.get("field"))
            return ModelNotLoadable(
                f"cannot load {what} (pod {name}): {error.get('type', 'Error')}: {message}",
                field="name",
            )
    tail = " | ".join(lines[-LOG_QUOTED:]) or "no output"
    return ModelNotLoadable(
        f"the scoring pod {name} of {what} ended before loading it: {tail}", field="name"
    )


def pod_name(target: ScoringTarget, suffix: str) -> str:
    """A pod (and Secret) name: ``mlops-scoring--<model>--v<version>--<suffix>`` (hashed
    when a part is not a valid name)."""
    model = safe_slug(target.name, 30)
    return multi_slug(["mlops-scoring", model, f"v{target.version}", suffix], 63)
