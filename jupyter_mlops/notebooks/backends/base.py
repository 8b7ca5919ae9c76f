"""The interface every notebook backend implements.

Methods block (processes, HTTP to the Kubernetes API) and are called by the service from
its thread pool, never on the event loop. The store records intent; the backend reports
what actually runs (``observe``), which is how a restart of our server reconciles them.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from cryptography.fernet import Fernet
from traitlets.config import LoggingConfigurable

from ...errors import InvalidState
from ...kube.client import KubeConfig
from ...processes import ProcessPolicy
from ...sealed import Sealer
from ..entities import BackendEvent, NotebookServer, Observation


def _process_sealer() -> Sealer:
    # A key of this process only: the extension always passes its own (crypt_key); this
    # default keeps a context built by hand (tests, scripts) from storing tokens in plain.
    return Sealer(Fernet.generate_key().decode("ascii"))


@dataclass(frozen=True)
class BackendContext:
    """What backends need from the server's configuration."""

    base_url: str = "/"
    state_dir: Path = field(default_factory=lambda: Path("."))
    tracking_url: str = ""
    tracking_token: str = ""
    kube: KubeConfig = field(default_factory=KubeConfig)
    service_account: str = ""
    cluster_domain: str = "cluster.local"
    #: One namespace per user (from a template): created on first use.
    namespace_per_user: bool = False
    #: Who local processes run as and what they inherit (the extension's ``process_policy``).
    process_policy: ProcessPolicy = field(default_factory=ProcessPolicy)
    #: Seals the servers' tokens in their stored runtime record (the extension's ``sealer``).
    sealer: Sealer = field(default_factory=_process_sealer)

    def prefix(self, owner: str, name: str) -> str:
        """The URL path a server is served at (through our proxy), ending in ``/``."""
        quote = urllib.parse.quote
        base = self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        return f"{base}mlops/servers/{quote(owner, safe='')}/{quote(name, safe='')}/"


@dataclass(frozen=True)
class Upstream:
    """Where the proxy sends a server's requests: ``url`` (scheme://host:port, plus the
    path prefix the server serves) and the token it expects ("" for none)."""

    url: str
    token: str = ""


class NotebookBackend(LoggingConfigurable):
    """Base of the backends; subclasses set ``kind`` and implement every method."""

    kind: ClassVar[str] = ""
    context: BackendContext

    def setup(self, context: BackendContext) -> None:
        """Called once by the extension, before any other method (off the event loop)."""
        self.context = context

    def close(self) -> None:
        """Release clients; running servers are left running."""

    def check_owner(self, owner: str) -> None:
        """Raise (PermissionDenied, InvalidState) when this backend cannot run ``owner``'s
        servers at all, before anything is recorded or created; the message says why."""

    # -- the server's token: stored sealed, never in plain text ----------------------------
    def seal_token(self, token: str) -> str:
        """``token`` as ``runtime["token"]`` keeps it (encrypted with the server's key)."""
        return self.context.sealer.seal(token)

    def server_token(self, server: NotebookServer) -> str:
        """The plain token of ``server`` ("" for none); a legacy plain value as it is."""
        stored = str(server.runtime.get("token") or "")
        try:
            return self.context.sealer.unseal(stored)
        except ValueError:
            raise InvalidState(
                f"the token of {server.owner}/{server.name} was sealed with another "
                "MlopsExtension.crypt_key; stop and start the server to give it a new one"
            ) from None

    def resealed_runtime(self, server: NotebookServer) -> dict[str, Any] | None:
        """The runtime record with a token left in plain text (by an older version) sealed,
        or None when there is nothing to change."""
        stored = server.runtime.get("token")
        if not stored or Sealer.is_sealed(str(stored)):
            return None
        return {**server.runtime, "token": self.seal_token(str(stored))}

    def start(self, server: NotebookServer, tracking_token: str = "") -> dict[str, Any]:
        """Create or resume what runs ``server.spec``; returns the new ``runtime`` record.

        ``tracking_token`` (an API token of the server's owner, issued for this start)
        becomes ``JUPYTER_MLOPS_TOKEN`` in the server; "" falls back to the context's."""
        raise NotImplementedError

    def stop(self, server: NotebookServer) -> None:
        """Stop the server, keeping its workspace."""
        raise NotImplementedError

    def delete(self, server: NotebookServer, delete_volume: bool) -> None:
        """Remove everything of the server (the workspace only if ``delete_volume``)."""
        raise NotImplementedError

    def observe_server(self, server: NotebookServer) -> Observation:
        """What runs right now, as a status with the reason users need."""
        raise NotImplementedError

    def events(self, server: NotebookServer) -> list[BackendEvent]:
        """What the platform reports about the server (scheduling, image pulls...)."""
        return []

    def logs(self, server: NotebookServer, tail: int) -> str:
        raise NotImplementedError

    def manifests(self, server: NotebookServer) -> list[dict[str, Any]]:
        """What we create for the server, as documents (Kubernetes manifests, or the local
        command line); secrets redacted."""
        raise NotImplementedError

    def upstream(self, server: NotebookServer) -> Upstream | None:
        """Where to proxy to, or None when nothing answers."""
        raise NotImplementedError
