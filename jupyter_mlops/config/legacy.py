"""The flat names settings had on ``MlopsExtension`` before they moved to settings classes
(``c.MlopsExtension.notebook_images`` is now ``c.NotebookServers.images``).

They keep working for one release: ``migrate_legacy_names`` copies each one found in the
``MlopsExtension`` section to its new home, unless that is set too, and says so once per
name in the log (not through ``warnings``: a deprecation must not break a server).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from traitlets.config import Config

#: Section of the old names.
LEGACY_SECTION = "MlopsExtension"

_NOTEBOOK_SERVERS = (
    "backend_class",
    "images",
    "allow_custom_image",
    "profiles",
    "gpu_resources",
    "max_gpus",
    "quotas",
    "default_cpu",
    "default_memory",
    "workspace_size",
    "storage_class",
    "namespace",
    "namespace_template",
    "service_account",
    "tracking_url",
    "state_dir",
    "cull_idle_timeout",
    "cull_interval",
    "cull_max_age",
    "monitor_interval",
)
_PIPELINES = (
    "backend_class",
    "parallelism",
    "namespace",
    "default_image",
    "service_account",
    "tracking_url",
    "poll_interval",
    "schedule_interval",
)
_SCORING = ("idle_timeout", "backend", "image", "pod_port", "max_workers", "python")
_KUBE = {
    "kube_config_mode": "config_mode",
    "kube_api_host": "api_host",
    "kube_config_file": "config_file",
    "kube_context": "context",
    "kube_cluster_domain": "cluster_domain",
}

#: Old ``MlopsExtension`` name -> (settings class, new name).
LEGACY_NAMES: Mapping[str, tuple[str, str]] = {
    "store_uri": ("Tracking", "store_uri"),
    "artifact_root": ("Tracking", "artifact_root"),
    **{f"notebook_{name}": ("NotebookServers", name) for name in _NOTEBOOK_SERVERS},
    **{f"pipeline_{name}": ("Pipelines", name) for name in _PIPELINES},
    **{f"scoring_{name}": ("Scoring", name) for name in _SCORING},
    **{old: ("Kube", new) for old, new in _KUBE.items()},
}


def migrate_legacy_names(config: Config, log: Any) -> list[str]:
    """Copy the old names set in ``config``'s ``MlopsExtension`` section to their new
    sections (in place) where the new name is not set, top-level or nested under
    ``MlopsExtension``; log one warning per old name. Returns the old names found."""
    if LEGACY_SECTION not in config:
        return []
    legacy = config[LEGACY_SECTION]
    found = sorted(name for name in legacy if name in LEGACY_NAMES)
    for old in found:
        section, new = LEGACY_NAMES[old]
        new_name = f"{section}.{new}"
        if new_name in config or f"{LEGACY_SECTION}.{new_name}" in config:
            log.warning("%s.%s is deprecated and ignored: %s is set", LEGACY_SECTION, old, new_name)
            continue
        config[section][new] = legacy[old]
        log.warning(
            "%s.%s is deprecated: use %s (the old name goes in the next release)",
            LEGACY_SECTION,
            old,
            new_name,
        )
    return found


def without_legacy_names(config: Config) -> Config:
    """``config`` without the old names in its ``MlopsExtension`` section (a copy, only
    when there are some): what ``MlopsExtension`` loads as its own traits."""
    if LEGACY_SECTION not in config:
        return config
    section = config[LEGACY_SECTION]
    if not any(name in LEGACY_NAMES for name in section):
        return config
    trimmed = Config(dict(config))
    trimmed[LEGACY_SECTION] = Config(
        {name: value for name, value in section.items() if name not in LEGACY_NAMES}
    )
    return trimmed
