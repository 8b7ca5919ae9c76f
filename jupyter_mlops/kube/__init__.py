"""Shared Kubernetes helpers: the API client from configuration (calls run off the event
loop), object-name slugs and the labels every object we create carries."""

from .client import KubeApi, KubeConfig, KubeError, build_api_client
from .labels import MANAGED_BY_LABEL, MANAGED_BY_VALUE, label_value, managed_labels
from .names import is_valid_name, multi_slug, safe_slug

__all__ = [
    "MANAGED_BY_LABEL",
    "MANAGED_BY_VALUE",
    "KubeApi",
    "KubeConfig",
    "KubeError",
    "build_api_client",
    "is_valid_name",
    "label_value",
    "managed_labels",
    "multi_slug",
    "safe_slug",
]
