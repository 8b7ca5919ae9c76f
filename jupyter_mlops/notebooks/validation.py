"""Turning a create or edit request into a :class:`NotebookServerSpec`, within what the
admin allows. Every refusal names the field: 400 for malformed input, 403 for a value
outside the configured images, profiles, GPU resources or quotas."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ..errors import InvalidParameter, PermissionDenied
from ..kube.names import is_valid_name
from .entities import DataVolume, NotebookServerSpec, Toleration, WorkspaceVolume
from .options import NotebookOptions, Profile, Quota
from .quantities import format_bytes, parse_cpu, parse_memory, parse_quantity

#: Fields of a create request (``owner`` and ``name`` are checked separately).
SPEC_FIELDS = (
    "profile",
    "image",
    "cpu",
    "cpu_limit",
    "memory",
    "memory_limit",
    "gpus",
    "gpu_resource",
    "workspace",
    "data_volumes",
    "env",
    "node_selector",
    "tolerations",
    "shm_size",
    "cull_idle_seconds",
)
#: What can change after creation (applied at the next start).
EDITABLE_FIELDS = (
    "image",
    "cpu",
    "cpu_limit",
    "memory",
    "memory_limit",
    "gpus",
    "gpu_resource",
    "env",
    "shm_size",
    "cull_idle_seconds",
)

_SERVER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LABEL_KEY = re.compile(r"^([a-z0-9.-]{1,253}/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$")
_RESERVED_ENV_PREFIXES = ("JUPYTER_MLOPS_", "JUPYTERHUB_")
_RESERVED_ENV = {"JUPYTER_TOKEN", "NB_PREFIX"}
_EFFECTS = {"", "NoSchedule", "PreferNoSchedule", "NoExecute"}


def validate_server_name(name: Any) -> str:
    if not isinstance(name, str) or not _SERVER_NAME.match(name):
        raise InvalidParameter(
            "name must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or "
            f"digit; got {name!r}",
            field="name",
        )
    return name


def validate_owner(owner: Any) -> str:
    if not isinstance(owner, str) or not owner or len(owner) > 256 or "/" in owner:
        raise InvalidParameter(
            f"owner must be a user name of 1-256 characters without '/'; got {owner!r}",
            field="owner",
        )
    return owner


def _string(body: dict[str, Any], key: str, default: str) -> str:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise InvalidParameter(f"{key} must be a string", field=key)
    return str(value).strip()


def _int(body: dict[str, Any], key: str, default: int | None) -> int | None:
    value = body.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParameter(f"{key} must be an integer, got {value!r}", field=key)
    if value < 0:
        raise InvalidParameter(f"{key} must not be negative, got {value}", field=key)
    return value


def _str_map(value: Any, field: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InvalidParameter(f"{field} must be an object of string values", field=field)
    return dict(value)


def _cpu(text: str, field: str) -> Decimal:
    try:
        return parse_cpu(text)
    except ValueError as exc:
        raise InvalidParameter(f"{field}: {exc}", field=field) from None


def _memory(text: str, field: str) -> Decimal:
    try:
        return parse_memory(text)
    except ValueError as exc:
        raise InvalidParameter(f"{field}: {exc}", field=field) from None


def _mount_path(path: Any, field: str) -> str:
    if (
        not isinstance(path, str)
        or not path.startswith("/")
        or ".." in path.split("/")
        or posixpath.normpath(path) != path
        or path == "/"
    ):
        raise InvalidParameter(
            f"{field} must be a normalised absolute path other than '/', got {path!r}",
            field=field,
        )
    return path


def _claim(name: Any, field: str) -> str:
    if not isinstance(name, str) or not is_valid_name(name, 253):
        raise InvalidParameter(
            f"{field} must be the name of a PersistentVolumeClaim, got {name!r}", field=field
        )
    return name


def spec_request(spec: NotebookServerSpec) -> dict[str, Any]:
    """A spec back in request form (what an edit is merged into)."""
    return {
        "profile": spec.profile,
        "image": spec.image,
        "cpu": spec.cpu_request,
        "cpu_limit": spec.cpu_limit,
        "memory": spec.memory_request,
        "memory_limit": spec.memory_limit,
        "gpus": spec.gpus,
        "gpu_resource": spec.gpu_resource,
        "workspace": {
            "size": spec.workspace.size,
            "existing_claim": spec.workspace.existing_claim,
            "mount_path": spec.workspace.mount_path,
        },
        "data_volumes": [
            {"claim_name": v.claim_name, "mount_path": v.mount_path, "read_only": v.read_only}
            for v in spec.data_volumes
        ],
        "env": dict(spec.env),
        "node_selector": dict(spec.node_selector),
        "tolerations": [
            {"key": t.key, "operator": t.operator, "value": t.value, "effect": t.effect}
            for t in spec.tolerations
        ],
        "shm_size": spec.shm_size,
        "cull_idle_seconds": spec.cull_idle_seconds,
    }


def build_spec(
    body: dict[str, Any],
    options: NotebookOptions,
    *,
    is_admin: bool,
    previous: NotebookServerSpec | None = None,
) -> NotebookServerSpec:
    """The spec for ``body`` (a create request, or an edit merged onto ``previous``)."""
    if previous is not None:
        body = _edit_merged_onto(body, previous)
    profile = _profile(body, options, previous)
    # The profile's values are the defaults the request's own values override.
    overrides = dict(profile.overrides) if profile else {}
    merged: dict[str, Any] = {**overrides, **{k: v for k, v in body.items() if v is not None}}
    image = _image(merged, overrides, options)
    cpu, cpu_limit, memory, memory_limit = _cpu_and_memory(merged, options)
    gpus, gpu_resource = _gpus(merged, options)
    workspace = _workspace(merged, options)
    volumes = _data_volumes(merged, workspace)
    if options.shared_namespace and not is_admin:
        _check_claims_of_a_user(workspace, volumes, previous)
    env = _env(merged)
    node_selector = _node_selector(merged)
    tolerations = tuple(_tolerations(merged.get("tolerations")))
    if not is_admin:
        _check_scheduling_of_a_user(node_selector, tolerations, overrides, previous)
    shm_size = _string(merged, "shm_size", "")
    if shm_size:
        _memory(shm_size, "shm_size")
    return NotebookServerSpec(
        image=image,
        cpu_request=cpu,
        cpu_limit=cpu_limit,
        memory_request=memory,
        memory_limit=memory_limit,
        gpus=gpus,
        gpu_resource=gpu_resource,
        profile=profile.slug if profile else "",
        workspace=workspace,
        data_volumes=volumes,
        env=env,
        node_selector=node_selector,
        tolerations=tolerations,
        shm_size=shm_size,
        cull_idle_seconds=_int(merged, "cull_idle_seconds", None),
    )


def _edit_merged_onto(body: dict[str, Any], previous: NotebookServerSpec) -> dict[str, Any]:
    """An edit as a whole request: ``previous`` in request form, updated with ``body``.
    Scheduling settings that came from a profile stay; an edit cannot add new ones unless
    an admin makes it (checked against what was there)."""
    request = spec_request(previous)
    # A limit that only followed its request follows the new request.
    for key in ("cpu", "memory"):
        limit = f"{key}_limit"
        if key in body and limit not in body and request[limit] == request[key]:
            request.pop(limit)
    request.update(body)
    return request


def _profile(
    body: dict[str, Any], options: NotebookOptions, previous: NotebookServerSpec | None
) -> Profile | None:
    """The profile asked for; else, for a new server, the default one (if any)."""
    profile_slug = _string(body, "profile", "")
    if profile_slug:
        profile = options.profile(profile_slug)
        if profile is None:
            raise InvalidParameter(
                f"profile {profile_slug!r} is not configured; choose one of "
                f"{[p.slug for p in options.profiles]}",
                field="profile",
            )
        return profile
    if options.profiles and previous is None:
        return options.default_profile
    return None


def _image(merged: dict[str, Any], overrides: dict[str, Any], options: NotebookOptions) -> str:
    image = _string(merged, "image", options.default_image)
    allowed_images = {i.image for i in options.images} | {options.default_image}
    if "image" in overrides:
        allowed_images.add(str(overrides["image"]))
    if image not in allowed_images and not options.allow_custom_image:
        raise PermissionDenied(
            f"image {image!r} is not one of the configured images {sorted(allowed_images)}",
            field="image",
        )
    if not image or any(c.isspace() for c in image):
        raise InvalidParameter("image must be a non-empty image reference", field="image")
    return image


def _cpu_and_memory(merged: dict[str, Any], options: NotebookOptions) -> tuple[str, str, str, str]:
    """(cpu, cpu_limit, memory, memory_limit); a limit defaults to its request."""
    cpu = _string(merged, "cpu", options.default_cpu)
    cpu_limit = _string(merged, "cpu_limit", cpu) or cpu
    memory = _string(merged, "memory", options.default_memory)
    memory_limit = _string(merged, "memory_limit", memory) or memory
    cpu_value, memory_value = _cpu(cpu, "cpu"), _memory(memory, "memory")
    if _cpu(cpu_limit, "cpu_limit") < cpu_value:
        raise InvalidParameter(f"cpu_limit {cpu_limit} is below cpu {cpu}", field="cpu_limit")
    if _memory(memory_limit, "memory_limit") < memory_value:
        raise InvalidParameter(
            f"memory_limit {memory_limit} is below memory {memory}", field="memory_limit"
        )
    return cpu, cpu_limit, memory, memory_limit


def _gpus(merged: dict[str, Any], options: NotebookOptions) -> tuple[int, str]:
    """(gpus, gpu_resource); no resource without GPUs."""
    gpus = _int(merged, "gpus", 0) or 0
    gpu_resource = _string(merged, "gpu_resource", "")
    if not gpus:
        return 0, ""
    if not options.gpu_resources:
        raise PermissionDenied("no GPUs are configured on this server", field="gpus")
    gpu_resource = gpu_resource or options.gpu_resources[0]
    if gpu_resource not in options.gpu_resources:
        raise PermissionDenied(
            f"gpu_resource {gpu_resource!r} is not one of {list(options.gpu_resources)}",
            field="gpu_resource",
        )
    if gpus > options.max_gpus:
        raise PermissionDenied(
            f"gpus {gpus} is more than the {options.max_gpus} a server may have",
            field="gpus",
        )
    return gpus, gpu_resource


def _workspace(merged: dict[str, Any], options: NotebookOptions) -> WorkspaceVolume:
    raw_workspace = merged.get("workspace") or {}
    if not isinstance(raw_workspace, dict):
        raise InvalidParameter("workspace must be an object", field="workspace")
    unknown = set(raw_workspace) - {"size", "existing_claim", "mount_path", "storage_class"}
    if unknown:
        raise InvalidParameter(f"workspace has unknown fields {sorted(unknown)}", field="workspace")
    size = str(
        raw_workspace.get("size") or merged.get("workspace_size") or options.default_workspace_size
    )
    try:
        if parse_quantity(size) <= 0:
            raise ValueError("must be more than 0")
    except ValueError as exc:
        raise InvalidParameter(f"workspace.size: {exc}", field="workspace.size") from None
    existing = raw_workspace.get("existing_claim") or ""
    if existing:
        _claim(existing, "workspace.existing_claim")
    return WorkspaceVolume(
        size=size,
        existing_claim=existing,
        mount_path=_mount_path(
            raw_workspace.get("mount_path") or "/home/jovyan", "workspace.mount_path"
        ),
        storage_class=options.storage_class,
    )


def _data_volumes(merged: dict[str, Any], workspace: WorkspaceVolume) -> tuple[DataVolume, ...]:
    """The data volumes, each at a mount path of its own (not the workspace's)."""
    raw_volumes = merged.get("data_volumes") or []
    if not isinstance(raw_volumes, list):
        raise InvalidParameter("data_volumes must be a list", field="data_volumes")
    volumes = []
    paths = {workspace.mount_path}
    for index, item in enumerate(raw_volumes):
        where = f"data_volumes[{index}]"
        if not isinstance(item, dict):
            raise InvalidParameter(f"{where} must be an object", field=where)
        volume = DataVolume(
            claim_name=_claim(item.get("claim_name"), f"{where}.claim_name"),
            mount_path=_mount_path(item.get("mount_path"), f"{where}.mount_path"),
            read_only=bool(item.get("read_only", False)),
        )
        if volume.mount_path in paths:
            raise InvalidParameter(
                f"{where}.mount_path {volume.mount_path} is used twice", field=where
            )
        paths.add(volume.mount_path)
        volumes.append(volume)
    return tuple(volumes)


def _check_claims_of_a_user(
    workspace: WorkspaceVolume,
    volumes: tuple[DataVolume, ...],
    previous: NotebookServerSpec | None,
) -> None:
    """In a namespace shared by all users, any claim name could be someone else's: only
    admins may mount existing claims there (an edit keeps those it had)."""
    existing = workspace.existing_claim
    if existing and (previous is None or previous.workspace.existing_claim != existing):
        raise PermissionDenied(
            "only admins may mount an existing claim in a shared namespace",
            field="workspace.existing_claim",
        )
    before = {v.claim_name for v in previous.data_volumes} if previous else set()
    if any(v.claim_name not in before for v in volumes):
        raise PermissionDenied(
            "only admins may mount existing claims in a shared namespace",
            field="data_volumes",
        )


def _env(merged: dict[str, Any]) -> dict[str, str]:
    env = _str_map(merged.get("env"), "env")
    for key in env:
        if not _ENV_NAME.match(key):
            raise InvalidParameter(f"env name {key!r} is not a valid variable name", field="env")
        if key in _RESERVED_ENV or key.startswith(_RESERVED_ENV_PREFIXES):
            raise InvalidParameter(f"env name {key!r} is set by jupyter-mlops", field="env")
    return env


def _node_selector(merged: dict[str, Any]) -> dict[str, str]:
    node_selector = _str_map(merged.get("node_selector"), "node_selector")
    for key, value in node_selector.items():
        if not _LABEL_KEY.match(key) or not _LABEL_VALUE.match(value):
            raise InvalidParameter(
                f"node_selector {key}={value} is not a valid label", field="node_selector"
            )
    return node_selector


def _check_scheduling_of_a_user(
    node_selector: dict[str, str],
    tolerations: tuple[Toleration, ...],
    overrides: dict[str, Any],
    previous: NotebookServerSpec | None,
) -> None:
    """Users (not admins) get only the node selector and tolerations of their profile, or
    those their server already had."""
    allowed_ns = dict(overrides.get("node_selector") or {})
    allowed_tol = tuple(_tolerations(overrides.get("tolerations")))
    if previous is not None:
        allowed_ns = {**allowed_ns, **previous.node_selector}
        allowed_tol = allowed_tol + previous.tolerations
    if any(allowed_ns.get(k) != v for k, v in node_selector.items()):
        raise PermissionDenied(
            "only admins (or profiles) may set node_selector", field="node_selector"
        )
    if any(t not in allowed_tol for t in tolerations):
        raise PermissionDenied("only admins (or profiles) may set tolerations", field="tolerations")


def _tolerations(raw: Any) -> Iterable[Toleration]:
    if raw is None:
        return
    if not isinstance(raw, list):
        raise InvalidParameter("tolerations must be a list", field="tolerations")
    for index, item in enumerate(raw):
        where = f"tolerations[{index}]"
        if not isinstance(item, dict) or not all(isinstance(v, str) for v in item.values()):
            raise InvalidParameter(f"{where} must be an object of strings", field="tolerations")
        unknown = set(item) - {"key", "operator", "value", "effect"}
        if unknown:
            raise InvalidParameter(f"{where} has unknown fields {sorted(unknown)}", field=where)
        toleration = Toleration(
            key=item.get("key", ""),
            operator=item.get("operator", "Equal"),
            value=item.get("value", ""),
            effect=item.get("effect", ""),
        )
        if toleration.operator not in ("Equal", "Exists"):
            raise InvalidParameter(f"{where}.operator must be Equal or Exists", field=where)
        if toleration.effect not in _EFFECTS:
            raise InvalidParameter(f"{where}.effect must be one of {sorted(_EFFECTS)}", field=where)
        yield toleration


def check_quota(
    quota: Quota,
    *,
    spec: NotebookServerSpec,
    other_servers: int,
    other_active: Iterable[NotebookServerSpec],
    new_server: bool,
) -> None:
    """Refuse (403, naming the limit) when running ``spec`` would go over ``quota``.

    ``other_servers`` counts the user's other servers; ``other_active`` are the specs of
    those that run or are starting.
    """
    if new_server and quota.servers is not None and other_servers + 1 > quota.servers:
        raise PermissionDenied(
            f"quota: at most {quota.servers} notebook servers per user", field="servers"
        )
    active = list(other_active)
    if quota.cpu is not None:
        total = parse_cpu(spec.cpu_request) + sum(parse_cpu(s.cpu_request) for s in active)
        if total > quota.cpu:
            raise PermissionDenied(
                f"quota: {total.normalize():f} CPUs requested in total, more than the "
                f"{quota.cpu.normalize():f} allowed",
                field="cpu",
            )
    if quota.memory is not None:
        total = parse_memory(spec.memory_request) + sum(
            parse_memory(s.memory_request) for s in active
        )
        if total > quota.memory:
            raise PermissionDenied(
                f"quota: {format_bytes(total)} of memory requested in total, more than the "
                f"{format_bytes(quota.memory)} allowed",
                field="memory",
            )
    if quota.gpus is not None:
        total_gpus = spec.gpus + sum(s.gpus for s in active)
        if total_gpus > quota.gpus:
            raise PermissionDenied(
                f"quota: {total_gpus} GPUs requested in total, more than the {quota.gpus} allowed",
                field="gpus",
            )
