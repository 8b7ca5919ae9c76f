"""Object stores outside our artifact root that an admin allows runs and models to name.

MLflow lets a client put an experiment's artifacts (``artifact_location``) or a model
version's files (``source``) anywhere, ``s3://`` included; its client then reads and writes
those files itself. We accept such URIs only inside the prefixes an admin listed in
``c.Tracking.external_artifact_stores``: a prefix is a scheme, a bucket and an optional
folder (``s3://team-bucket/mlflow/``). The server never opens these URIs; it only records
them, so the question is only which names are allowed, answered here purely.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import InvalidParameter

# Schemes of S3-compatible and cloud object stores MLflow's client can write to itself.
OBJECT_STORE_SCHEMES = ("s3", "gs", "wasbs", "abfss", "oss")

_PREFIX = re.compile(r"^([a-z0-9]+)://([A-Za-z0-9][A-Za-z0-9.\-_]{1,254})(/[^?#]*)?$")
_FORBIDDEN_SEGMENTS = {"..", "."}


def normalise_store_prefix(prefix: str) -> str:
    """``s3://bucket/folder`` as ``s3://bucket/folder/``; ``ValueError`` if it is not an
    object-store prefix (a config error, reported at start-up)."""
    match = _PREFIX.match(prefix.strip())
    if not match or match.group(1) not in OBJECT_STORE_SCHEMES:
        raise ValueError(
            f"{prefix!r} is not an object-store prefix such as s3://bucket/folder/ "
            f"(schemes: {', '.join(OBJECT_STORE_SCHEMES)})"
        )
    scheme, bucket, path = match.group(1), match.group(2), match.group(3) or "/"
    segments = [s for s in path.split("/") if s]
    if any(s in _FORBIDDEN_SEGMENTS or "%" in s for s in segments):
        raise ValueError(f"{prefix!r} must not hold '.', '..' or percent-escapes")
    folder = "/".join(segments)
    return f"{scheme}://{bucket}/" + (f"{folder}/" if folder else "")


def inside_external_store(uri: str, stores: Iterable[str]) -> bool:
    """Whether ``uri`` names a location under one of the (normalised) ``stores``.

    The URI's path must be clean: no ``.``/``..`` segments, no percent-escapes, no
    backslashes or control characters, so that no decoder later reads it as another place.
    """
    if not isinstance(uri, str) or "\\" in uri or "%" in uri or "?" in uri or "#" in uri:
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in uri):
        return False
    for store in stores:
        if uri == store.rstrip("/") or uri.startswith(store):
            rest = uri[len(store) :] if uri.startswith(store) else ""
            if not any(s in _FORBIDDEN_SEGMENTS for s in rest.split("/")):
                return True
    return False


def outside_stores_error(field: str, uri: str, stores: Iterable[str]) -> InvalidParameter:
    """The 400 for a URI outside our artifact store and every allowed external one."""
    allowed = list(stores)
    where = (
        "inside the server's artifact store or one of the object stores the admin allowed "
        f"(c.Tracking.external_artifact_stores: {', '.join(allowed)})"
        if allowed
        else "inside the server's artifact store (no external object store is allowed: an "
        "admin can list some in c.Tracking.external_artifact_stores)"
    )
    return InvalidParameter(f"{field} {uri!r} is not allowed: it must be {where}", field=field)
