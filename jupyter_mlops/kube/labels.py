"""Labels on every object we create: who manages it, which component, whose it is.

Label values are limited (63 characters of ``[A-Za-z0-9._-]``, alphanumeric at both ends),
so user and server names go through :func:`label_value`; the exact names are kept in
annotations, which have no such limits.
"""

from __future__ import annotations

from .names import safe_slug

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "jupyter-mlops"
COMPONENT_LABEL = "app.kubernetes.io/component"
OWNER_LABEL = "mlops.jupyter.org/owner"
NAME_LABEL = "mlops.jupyter.org/name"
OWNER_ANNOTATION = "mlops.jupyter.org/owner"
NAME_ANNOTATION = "mlops.jupyter.org/name"


def label_value(text: str) -> str:
    """A valid label value for ``text`` (a DNS-1123 slug, hashed when changed)."""
    return safe_slug(text, 63)


def managed_labels(component: str, owner: str, name: str) -> dict[str, str]:
    """The labels that say what manages an object, what it is, and who owns it."""
    return {
        MANAGED_BY_LABEL: MANAGED_BY_VALUE,
        COMPONENT_LABEL: component,
        OWNER_LABEL: label_value(owner),
        NAME_LABEL: label_value(name),
    }


def owner_annotations(owner: str, name: str) -> dict[str, str]:
    return {OWNER_ANNOTATION: owner, NAME_ANNOTATION: name}
