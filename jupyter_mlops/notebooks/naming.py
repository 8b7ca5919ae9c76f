"""Object names of a server, computed once from its owner and name (then stored)."""

from __future__ import annotations

from ..errors import InvalidParameter
from ..kube.names import is_valid_name, multi_slug, safe_slug
from .entities import ObjectNames

#: StatefulSet pods are ``<name>-0`` and carry a ``<name>-<10 char hash>`` revision label
#: (63 characters at most), so workload names stay well below that.
WORKLOAD_SLUG_LENGTH = 44


def compute_names(owner: str, name: str, namespace: str, namespace_template: str) -> ObjectNames:
    """The namespace (fixed, or from ``namespace_template`` with ``{username}``) and names."""
    slug = multi_slug([owner, name], max_length=WORKLOAD_SLUG_LENGTH)
    if namespace_template:
        namespace = namespace_template.format(username=safe_slug(owner, 40))
    if not is_valid_name(namespace):
        raise InvalidParameter(
            f"the namespace {namespace!r} computed for {owner!r} is not a valid name",
            field="owner",
        )
    return ObjectNames(
        namespace=namespace,
        workload=f"nb-{slug}",
        pvc=f"ws-{slug}",
        secret=f"nb-{slug}-token",
    )
