"""Plain entities of the model registry; what leaves the store and what every API
serialises. Times are integer milliseconds since the epoch, versions are strings ("1")
as in MLflow."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

# The logged models' entities, named here too: every API serialises them with the registry's.
from .logged_models.entities import LoggedModel, LoggedModelMetric, LoggedModelStatus


class Stage(str, enum.Enum):
    """MLflow's legacy model-version stages (aliases replace them, but clients still call)."""

    NONE = "None"
    STAGING = "Staging"
    PRODUCTION = "Production"
    ARCHIVED = "Archived"


class VersionStatus(str, enum.Enum):
    READY = "READY"
    PENDING_REGISTRATION = "PENDING_REGISTRATION"
    FAILED_REGISTRATION = "FAILED_REGISTRATION"


@dataclass(frozen=True, slots=True)
class ModelVersion:
    name: str
    version: str
    creation_timestamp: int
    last_updated_timestamp: int
    description: str
    user_id: str
    current_stage: str
    source: str
    run_id: str | None
    status: str
    status_message: str
    tags: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    run_link: str = ""
    model_id: str | None = None
    #: The artifact-root-relative folder holding the model files (what loaders download).
    storage_location: str = ""


@dataclass(frozen=True, slots=True)
class RegisteredModel:
    name: str
    creation_timestamp: int
    last_updated_timestamp: int
    description: str
    owner: str
    tags: dict[str, str] = field(default_factory=dict)
    #: alias -> version ("champion" -> "3")
    aliases: dict[str, str] = field(default_factory=dict)
    #: The newest version in each stage (MLflow's ``latest_versions``).
    latest_versions: list[ModelVersion] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ModelLocation:
    """Where a model URI points: the artifact-root-relative folder, and what it came from."""

    storage_location: str
    model_version: ModelVersion | None = None
    logged_model: LoggedModel | None = None
    run_id: str | None = None


__all__ = [
    "LoggedModel",
    "LoggedModelMetric",
    "LoggedModelStatus",
    "ModelLocation",
    "ModelVersion",
    "RegisteredModel",
    "Stage",
    "VersionStatus",
]
