"""Which tracking store a client talks to, and the transport for it.

Resolution order: the URI passed to ``MlopsClient`` > ``set_tracking_uri`` >
``JUPYTER_MLOPS_TRACKING_URI`` (with ``JUPYTER_MLOPS_TOKEN``) > the embedded default store.
The server extension exports the two variables, so kernels it starts log to it unasked.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from ..errors import InvalidParameter
from ..paths import default_artifact_root, default_store_uri
from .transport import TrackingTransport

ENV_TRACKING_URI = "JUPYTER_MLOPS_TRACKING_URI"
ENV_TOKEN = "JUPYTER_MLOPS_TOKEN"
ENV_ARTIFACT_ROOT = "JUPYTER_MLOPS_ARTIFACT_ROOT"

_REST_SCHEMES = ("http", "https")
_SQL_SCHEMES = ("sqlite", "postgresql", "mysql", "mariadb", "mssql")

# Set by set_tracking_uri: process-wide, like the MLflow setting it mirrors.
_lock = threading.Lock()
_configured: tuple[str, str | None] | None = None


def set_tracking_uri(uri: str | None, token: str | None = None) -> None:
    """Use ``uri`` (and ``token`` for a server) in this process; None goes back to the default."""
    global _configured
    if uri is not None:
        scheme_of(uri)  # reject what no transport understands, now rather than at first use
    with _lock:
        _configured = None if uri is None else (uri, token)


def resolve_tracking_uri(
    uri: str | None = None, token: str | None = None
) -> tuple[str, str | None]:
    """The URI to use and the token that goes with it."""
    if uri is not None:
        return uri, token if token is not None else os.environ.get(ENV_TOKEN)
    with _lock:
        configured = _configured
    if configured is not None:
        set_uri, set_token = configured
        return set_uri, token or set_token or os.environ.get(ENV_TOKEN)
    env_uri = os.environ.get(ENV_TRACKING_URI)
    if env_uri:
        return env_uri, token or os.environ.get(ENV_TOKEN)
    return default_store_uri(), None


def scheme_of(uri: str) -> str:
    """Which transport serves ``uri`` ("rest" or "sql"); InvalidParameter for others."""
    scheme = uri.partition(":")[0].partition("+")[0].lower() if "://" in uri else ""
    if scheme in _REST_SCHEMES:
        return "rest"
    if scheme in _SQL_SCHEMES:
        return "sql"
    raise InvalidParameter(
        f"Unsupported tracking URI {uri!r}: use a jupyter server URL (http(s)://host:port/) "
        "or a SQLAlchemy URI (sqlite:///path/to/mlops.db, postgresql+psycopg://...).",
        field="tracking_uri",
    )


def default_client_artifact_root() -> Path:
    """Where direct store access keeps artifacts (the server's default, unless overridden)."""
    root = os.environ.get(ENV_ARTIFACT_ROOT)
    return Path(root) if root else default_artifact_root()


def open_transport(
    uri: str, token: str | None, artifact_root: Path | None = None
) -> TrackingTransport:
    if scheme_of(uri) == "rest":
        from .rest_transport import RestTransport

        return RestTransport(uri, token)
    # Imported only here: the direct transport pulls in SQLAlchemy and the migrations.
    from .store_transport import StoreTransport

    return StoreTransport.from_uri(uri, artifact_root or default_client_artifact_root())
