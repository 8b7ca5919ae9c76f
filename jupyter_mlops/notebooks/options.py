"""What admins allow: images, profiles, GPU resources, quotas and defaults.

Built once from the extension's traits (``from_config``), which raises ``ValueError`` for a
malformed configuration so that the server refuses to start instead of misbehaving.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .quantities import parse_cpu, parse_memory

#: What a profile may set (spec fields, as in a create request).
PROFILE_KEYS = frozenset(
    {
        "image",
        "cpu",
        "cpu_limit",
        "memory",
        "memory_limit",
        "gpus",
        "gpu_resource",
        "node_selector",
        "tolerations",
        "shm_size",
        "env",
        "workspace_size",
    }
)
DEFAULT_IMAGE = "quay.io/jupyter/scipy-notebook:2025-03-14"


@dataclass(frozen=True)
class ImageOption:
    image: str
    display_name: str
    default: bool = False


@dataclass(frozen=True)
class Profile:
    slug: str
    display_name: str
    description: str = ""
    default: bool = False
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Quota:
    """Limits on one user's servers (None = unlimited). CPU and memory count requests of
    servers that run or are starting; ``servers`` counts every server the user has."""

    servers: int | None = None
    cpu: Decimal | None = None
    memory: Decimal | None = None  # bytes
    gpus: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "servers": self.servers,
            "cpu": str(self.cpu) if self.cpu is not None else None,
            "memory": str(self.memory) if self.memory is not None else None,
            "gpus": self.gpus,
        }


@dataclass(frozen=True)
class NotebookOptions:
    images: tuple[ImageOption, ...] = ()
    allow_custom_image: bool = False
    profiles: tuple[Profile, ...] = ()
    gpu_resources: tuple[str, ...] = ()
    max_gpus: int = 8
    default_quota: Quota = Quota()
    user_quotas: dict[str, Quota] = field(default_factory=dict)
    default_cpu: str = "0.5"
    default_memory: str = "1Gi"
    default_workspace_size: str = "5Gi"
    storage_class: str = ""
    default_cull_idle_seconds: int = 0
    #: Whether every user's objects share one namespace (then claims are not isolated).
    shared_namespace: bool = True

    def quota_for(self, user: str) -> Quota:
        return self.user_quotas.get(user, self.default_quota)

    @property
    def default_image(self) -> str:
        for option in self.images:
            if option.default:
                return option.image
        return self.images[0].image if self.images else DEFAULT_IMAGE

    @property
    def default_profile(self) -> Profile | None:
        for profile in self.profiles:
            if profile.default:
                return profile
        return self.profiles[0] if self.profiles else None

    def profile(self, slug: str) -> Profile | None:
        return next((p for p in self.profiles if p.slug == slug), None)

    def public(self, user: str) -> dict[str, Any]:
        """What the spawn form needs (no secrets here: this is configuration)."""
        return {
            "images": [
                {"image": i.image, "display_name": i.display_name, "default": i.default}
                for i in self.images
            ]
            or [{"image": DEFAULT_IMAGE, "display_name": DEFAULT_IMAGE, "default": True}],
            "allow_custom_image": self.allow_custom_image,
            "profiles": [
                {
                    "slug": p.slug,
                    "display_name": p.display_name,
                    "description": p.description,
                    "default": p.default,
                    "overrides": p.overrides,
                }
                for p in self.profiles
            ],
            "gpu_resources": list(self.gpu_resources),
            "max_gpus": self.max_gpus if self.gpu_resources else 0,
            "defaults": {
                "cpu": self.default_cpu,
                "memory": self.default_memory,
                "workspace_size": self.default_workspace_size,
                "cull_idle_seconds": self.default_cull_idle_seconds,
            },
            "quota": self.quota_for(user).to_dict(),
        }


def _images(raw: list[Any]) -> tuple[ImageOption, ...]:
    images = []
    for index, item in enumerate(raw):
        if isinstance(item, str):
            images.append(ImageOption(item, item))
        elif isinstance(item, dict) and isinstance(item.get("image"), str) and item["image"]:
            images.append(
                ImageOption(
                    item["image"],
                    str(item.get("display_name") or item["image"]),
                    bool(item.get("default", False)),
                )
            )
        else:
            raise ValueError(
                f"NotebookServers.images[{index}] must be a string or {{'image': ...}}"
            )
    return tuple(images)


def _profiles(raw: list[Any]) -> tuple[Profile, ...]:
    profiles = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not item.get("slug"):
            raise ValueError(f"NotebookServers.profiles[{index}] needs a 'slug'")
        overrides = dict(item.get("overrides") or {})
        unknown = set(overrides) - PROFILE_KEYS
        if unknown:
            raise ValueError(
                f"NotebookServers.profiles[{index}] overrides unknown fields {sorted(unknown)}; "
                f"allowed: {sorted(PROFILE_KEYS)}"
            )
        profiles.append(
            Profile(
                slug=str(item["slug"]),
                display_name=str(item.get("display_name") or item["slug"]),
                description=str(item.get("description") or ""),
                default=bool(item.get("default", False)),
                overrides=overrides,
            )
        )
    return tuple(profiles)


def parse_quota(raw: dict[str, Any], where: str) -> Quota:
    unknown = set(raw) - {"servers", "cpu", "memory", "gpus"}
    if unknown:
        raise ValueError(f"{where}: unknown quota keys {sorted(unknown)}")
    try:
        return Quota(
            servers=int(raw["servers"]) if raw.get("servers") is not None else None,
            cpu=parse_cpu(str(raw["cpu"])) if raw.get("cpu") is not None else None,
            memory=parse_memory(str(raw["memory"])) if raw.get("memory") is not None else None,
            gpus=int(raw["gpus"]) if raw.get("gpus") is not None else None,
        )
    except (ValueError, ArithmeticError) as exc:
        raise ValueError(f"{where}: {exc}") from None


def from_config(
    *,
    images: list[Any],
    allow_custom_image: bool,
    profiles: list[Any],
    gpu_resources: list[str],
    max_gpus: int,
    quotas: dict[str, Any],
    default_cpu: str,
    default_memory: str,
    default_workspace_size: str,
    storage_class: str,
    cull_idle_seconds: int,
    shared_namespace: bool,
) -> NotebookOptions:
    unknown = set(quotas) - {"default", "users"}
    if unknown:
        raise ValueError(
            f"NotebookServers.quotas: unknown keys {sorted(unknown)} (use default, users)"
        )
    users = quotas.get("users") or {}
    parse_cpu(default_cpu)
    parse_memory(default_memory)
    parse_memory(default_workspace_size)
    return NotebookOptions(
        images=_images(images),
        allow_custom_image=allow_custom_image,
        profiles=_profiles(profiles),
        gpu_resources=tuple(gpu_resources),
        max_gpus=max_gpus,
        default_quota=parse_quota(quotas.get("default") or {}, "NotebookServers.quotas.default"),
        user_quotas={
            str(u): parse_quota(q or {}, f"NotebookServers.quotas.users.{u}")
            for u, q in users.items()
        },
        default_cpu=default_cpu,
        default_memory=default_memory,
        default_workspace_size=default_workspace_size,
        storage_class=storage_class,
        default_cull_idle_seconds=cull_idle_seconds,
        shared_namespace=shared_namespace,
    )
