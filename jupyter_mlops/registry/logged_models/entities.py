"""Plain entities of MLflow 3 logged models: what leaves their store and every API
serialises. Times are integer milliseconds since the epoch."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class LoggedModelStatus(str, enum.Enum):
    PENDING = "PENDING"
    READY = "READY"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class LoggedModelMetric:
    key: str
    value: float
    timestamp: int
    step: int = 0
    run_id: str | None = None
    #: the dataset it was measured on (``mlflow.log_metric(..., dataset=...)``), if said
    dataset_name: str | None = None
    dataset_digest: str | None = None


@dataclass(frozen=True, slots=True)
class LoggedModel:
    """An MLflow 3 logged model: a model with its own id and artifact folder
    (``<experiment>/models/<model_id>/artifacts``), registered or not."""

    model_id: str
    experiment_id: str
    name: str
    #: artifact-root-relative folder of the model files
    artifact_location: str
    creation_timestamp: int
    last_updated_timestamp: int
    status: str
    status_message: str
    source_run_id: str | None
    model_type: str | None
    tags: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    metrics: list[LoggedModelMetric] = field(default_factory=list)
    #: who created it (may finalize, tag and delete it, as may admins)
    creator_id: str = ""
    lifecycle_stage: str = "active"
