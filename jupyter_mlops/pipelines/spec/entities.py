"""Entities of the pipeline domain: what the store returns and the API serialises."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class StepRun:
    run_id: str
    step_id: str
    task: str
    iteration: int | None
    state: str
    message: str = ""
    attempt: int = 0
    cached: bool = False
    cache_key: str | None = None
    cached_from: str | None = None
    tracking_run_id: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    backend_ref: str | None = None
    start_time: int | None = None
    end_time: int | None = None
    updated_time: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PipelineRun:
    run_id: str
    name: str
    owner: str
    spec: dict[str, Any]
    arguments: dict[str, Any]
    backend: str
    state: str
    message: str
    loops: dict[str, list[Any] | None]
    outputs: dict[str, Any]
    tracking_run_id: str | None
    experiment_id: str
    schedule_id: int | None
    backend_ref: str | None
    attempt: int
    created_time: int
    start_time: int | None
    end_time: int | None
    updated_time: int
    steps: list[StepRun] | None = None

    def to_dict(self, *, with_spec: bool = True) -> dict[str, Any]:
        document = {
            key: value
            for key, value in asdict(self).items()
            if key not in ("steps", "schedule_id") and (with_spec or key != "spec")
        }
        document["schedule_id"] = None if self.schedule_id is None else str(self.schedule_id)
        if self.steps is not None:
            document["steps"] = [step.to_dict() for step in self.steps]
        return document


@dataclass
class SavedPipeline:
    pipeline_id: str
    name: str
    owner: str
    description: str
    spec: dict[str, Any]
    source_path: str | None
    created_time: int
    updated_time: int

    def to_dict(self, *, with_spec: bool = True) -> dict[str, Any]:
        document = asdict(self)
        if not with_spec:
            document.pop("spec")
        return document


@dataclass
class Schedule:
    schedule_id: str
    name: str
    owner: str
    cron: str
    spec: dict[str, Any]
    arguments: dict[str, Any]
    backend: str
    experiment_id: str
    policy: str
    enabled: bool
    queued: int
    next_fire_time: int
    last_run_id: str | None
    created_time: int

    def to_dict(self, *, with_spec: bool = False) -> dict[str, Any]:
        document = asdict(self)
        if not with_spec:
            document.pop("spec")
            document["pipeline_name"] = self.spec.get("pipelineInfo", {}).get("name", "")
        return document
