"""Building the ``kubernetes`` API client from configuration, and calling it.

Every call of the official client blocks (urllib3), so callers run :class:`KubeApi`
methods in a thread pool (``KubeApi.call_async`` or their service's executor), never on
the tornado event loop. Results are plain dicts in the API's own camelCase shape, the
shape manifests are written in, so code never depends on the client's model classes.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
MERGE_PATCH = "application/merge-patch+json"


@dataclass(frozen=True)
class KubeConfig:
    """Where the Kubernetes API is and how to log in.

    ``host`` set: talk to that URL directly (with ``token`` as a bearer token if given);
    used for tests and for ``kubectl proxy``. Otherwise ``in_cluster`` (the pod's service
    account) or a kubeconfig file (``config_file``, ``context``), and "auto" tries the
    service account first, then the default kubeconfig.
    """

    mode: str = "auto"  # auto | in-cluster | kubeconfig | host
    host: str = ""
    token: str = ""
    verify_ssl: bool = True
    config_file: str = ""
    context: str = ""


class KubeError(Exception):
    """A failed API call: HTTP ``status`` (0 when the API was unreachable) and reason."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(f"{status} {reason}: {message}")
        self.status = status
        self.reason = reason
        self.message = message

    @property
    def not_found(self) -> bool:
        return self.status == 404

    @property
    def conflict(self) -> bool:
        return self.status == 409


def build_api_client(config: KubeConfig) -> Any:
    """A ``kubernetes.client.ApiClient`` for ``config`` (reads files; call off the loop)."""
    import kubernetes.client
    import kubernetes.config

    mode = "host" if config.host else config.mode
    if mode == "host":
        configuration = kubernetes.client.Configuration()
        configuration.host = config.host.rstrip("/")
        configuration.verify_ssl = config.verify_ssl
        if config.token:
            configuration.api_key = {"authorization": config.token}
            configuration.api_key_prefix = {"authorization": "Bearer"}
        return kubernetes.client.ApiClient(configuration)
    configuration = kubernetes.client.Configuration()
    if mode == "in-cluster":
        kubernetes.config.load_incluster_config(client_configuration=configuration)
    elif mode == "kubeconfig":
        kubernetes.config.load_kube_config(
            config_file=config.config_file or None,
            context=config.context or None,
            client_configuration=configuration,
        )
    else:
        try:
            kubernetes.config.load_incluster_config(client_configuration=configuration)
        except kubernetes.config.ConfigException:
            kubernetes.config.load_kube_config(
                config_file=config.config_file or None,
                context=config.context or None,
                client_configuration=configuration,
            )
    return kubernetes.client.ApiClient(configuration)


def _error(exc: Exception) -> KubeError:
    status = int(getattr(exc, "status", 0) or 0)
    reason = str(getattr(exc, "reason", "") or type(exc).__name__)
    message = str(exc)
    body = getattr(exc, "body", None)
    if body:
        try:
            document = json.loads(body)
            message = document.get("message", message)
            reason = document.get("reason", reason)
        except (ValueError, AttributeError):
            message = str(body)[:500]
    return KubeError(status, reason, message)


class KubeApi:
    """The typed APIs we use, answering plain dicts and raising :class:`KubeError`."""

    def __init__(self, api_client: Any) -> None:
        import kubernetes.client

        self.api_client = api_client
        self.core = kubernetes.client.CoreV1Api(api_client)
        self.apps = kubernetes.client.AppsV1Api(api_client)
        self.batch = kubernetes.client.BatchV1Api(api_client)
        self.custom = kubernetes.client.CustomObjectsApi(api_client)

    @classmethod
    def from_config(cls, config: KubeConfig) -> KubeApi:
        return cls(build_api_client(config))

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call one client method; its result as dicts; errors as :class:`KubeError`."""
        from kubernetes.client.exceptions import ApiException

        try:
            result = fn(*args, **kwargs)
        except ApiException as exc:
            raise _error(exc) from None
        except OSError as exc:  # unreachable API server (urllib3 errors are OSErrors)
            raise KubeError(0, "Unreachable", str(exc)) from None
        except Exception as exc:  # urllib3 MaxRetryError and friends
            if type(exc).__module__.startswith("urllib3"):
                raise KubeError(0, "Unreachable", str(exc)) from None
            raise
        if isinstance(result, (dict, list, str)) or result is None:
            return result
        return self.api_client.sanitize_for_serialization(result)

    def get_or_none(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Like :meth:`call`, None for a 404."""
        try:
            return self.call(fn, *args, **kwargs)
        except KubeError as exc:
            if exc.not_found:
                return None
            raise

    def create_or_keep(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Create; an existing object (409) is kept. True when it was created."""
        try:
            self.call(fn, *args, **kwargs)
            return True
        except KubeError as exc:
            if exc.conflict:
                return False
            raise

    def delete_if_exists(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        try:
            self.call(fn, *args, **kwargs)
            return True
        except KubeError as exc:
            if exc.not_found:
                return False
            raise

    async def call_async(
        self, executor: Executor | None, fn: Callable[..., T], *args: Any, **kwargs: Any
    ) -> Any:
        """:meth:`call` in ``executor`` (None: the loop's default pool)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            executor, functools.partial(self.call, fn, *args, **kwargs)
        )

    def close(self) -> None:
        close = getattr(self.api_client, "close", None)
        if close is not None:
            close()
