"""Notebook-server entities: the spec users ask for, the names we computed, the status."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class ServerStatus(str, enum.Enum):
    PENDING = "Pending"  # accepted, waiting for resources (a node, a volume)
    STARTING = "Starting"  # process or container starting, not answering yet
    RUNNING = "Running"  # answering on its URL
    STOPPING = "Stopping"
    STOPPED = "Stopped"  # nothing running; the workspace is kept
    FAILED = "Failed"  # cannot run as it is (reason says why: ImagePullBackOff, OOMKilled...)

    @property
    def active(self) -> bool:
        """Running, or on its way there (counts against quotas, watched by the monitor)."""
        return self in (ServerStatus.PENDING, ServerStatus.STARTING, ServerStatus.RUNNING)

    @property
    def transitional(self) -> bool:
        return self in (ServerStatus.PENDING, ServerStatus.STARTING, ServerStatus.STOPPING)


@dataclass(frozen=True)
class Toleration:
    key: str = ""
    operator: str = "Equal"  # Equal | Exists
    value: str = ""
    effect: str = ""  # "" | NoSchedule | PreferNoSchedule | NoExecute


@dataclass(frozen=True)
class DataVolume:
    """An existing PersistentVolumeClaim mounted into the server."""

    claim_name: str
    mount_path: str
    read_only: bool = False


@dataclass(frozen=True)
class WorkspaceVolume:
    """The home volume: a new claim of ``size`` (named by us) or an ``existing_claim``."""

    size: str = "5Gi"
    existing_claim: str = ""
    mount_path: str = "/home/jovyan"
    storage_class: str = ""


@dataclass(frozen=True)
class NotebookServerSpec:
    image: str
    cpu_request: str
    cpu_limit: str
    memory_request: str
    memory_limit: str
    gpus: int = 0
    gpu_resource: str = ""
    profile: str = ""
    workspace: WorkspaceVolume = field(default_factory=WorkspaceVolume)
    data_volumes: tuple[DataVolume, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    node_selector: dict[str, str] = field(default_factory=dict)
    tolerations: tuple[Toleration, ...] = ()
    shm_size: str = ""  # "" = the container runtime's default /dev/shm
    cull_idle_seconds: int | None = None  # None = the configured default; 0 = never

    def to_dict(self) -> dict[str, Any]:
        document = asdict(self)
        document["data_volumes"] = [asdict(v) for v in self.data_volumes]
        document["tolerations"] = [asdict(t) for t in self.tolerations]
        return document

    @classmethod
    def from_dict(cls, document: dict[str, Any]) -> NotebookServerSpec:
        data = dict(document)
        data["workspace"] = WorkspaceVolume(**data.get("workspace", {}))
        data["data_volumes"] = tuple(DataVolume(**v) for v in data.get("data_volumes", ()))
        data["tolerations"] = tuple(Toleration(**t) for t in data.get("tolerations", ()))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class ObjectNames:
    """Names computed once, at creation, and stored: a later change of the naming scheme
    must never orphan a volume."""

    namespace: str
    workload: str  # StatefulSet, Notebook CR and Service name; the local state folder
    pvc: str
    secret: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class NotebookServer:
    owner: str
    name: str
    backend: str
    spec: NotebookServerSpec
    names: ObjectNames
    status: ServerStatus
    reason: str = ""
    message: str = ""
    created_at: int = 0
    updated_at: int = 0
    started_at: int | None = None
    stopped_at: int | None = None
    last_activity: int | None = None
    #: The backend's private record of what runs (pid, port, token, spec it started with).
    runtime: dict[str, Any] = field(default_factory=dict)

    @property
    def restart_required(self) -> bool:
        """The spec was edited since the running instance started (applied on next start)."""
        started = self.runtime.get("started_spec")
        return self.status.active and started is not None and started != self.spec.to_dict()


@dataclass(frozen=True)
class ServerEvent:
    """One line of a server's history and spawn progress (``id`` is the ``since`` cursor)."""

    id: int
    timestamp: int
    type: str  # Normal | Warning
    reason: str
    message: str


@dataclass(frozen=True)
class Observation:
    """What a backend sees of a server right now."""

    status: ServerStatus
    reason: str = ""
    message: str = ""


@dataclass(frozen=True)
class BackendEvent:
    """An event a backend reports; ``key`` makes re-reporting it idempotent."""

    key: str
    timestamp: int
    type: str
    reason: str
    message: str


@dataclass(frozen=True)
class ServerView:
    """A server as one caller sees it: where our proxy serves it (``url``) and whether
    this caller may open it there (``openable``: the owner, and admins where the proxy
    policy lets them)."""

    server: NotebookServer
    url: str
    openable: bool


@dataclass(frozen=True)
class ServerProgress:
    """One poll of a server's spawn progress: the server, its events after the caller's
    cursor, and the cursor to pass next (``since``)."""

    server: ServerView
    events: list[ServerEvent]
    cursor: int
