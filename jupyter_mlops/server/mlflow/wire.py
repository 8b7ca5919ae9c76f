"""MLflow's JSON shapes (proto3 JSON, snake_case names, enum names) for our entities.

Run artifact locations are artifact-root-relative in our store and travel as
``mlflow-artifacts:/<location>``, which MLflow's client resolves against the tracking URI
to this server's ``mlflow-artifacts`` endpoints.

System tags. MLflow keeps a run's name, user and parent in tags (``mlflow.runName``,
``mlflow.user``, ``mlflow.parentRunId``) and an experiment's description in
``mlflow.note.content``; we keep them in fields, so that runs logged through MLflow's
client show their name, user and nesting in our panel. They are taken out of incoming
tags (see :func:`split_run_tags`) and put back into outgoing ones.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ...errors import InvalidParameter
from ...registry.entities import LoggedModel, ModelVersion, RegisteredModel
from ...tracking.entities import (
    Dataset,
    DatasetInput,
    DatasetSummary,
    Experiment,
    FileInfo,
    Metric,
    Run,
    RunInfo,
    is_external_location,
)

ARTIFACT_SCHEME = "mlflow-artifacts:/"
RUN_NAME_TAG = "mlflow.runName"
USER_TAG = "mlflow.user"
PARENT_RUN_TAG = "mlflow.parentRunId"
NOTE_TAG = "mlflow.note.content"
#: Run tags that live in run fields here.
RUN_FIELD_TAGS = frozenset((RUN_NAME_TAG, USER_TAG, PARENT_RUN_TAG))
_NAME_AND_USER_TAGS = frozenset((RUN_NAME_TAG, USER_TAG))

_LOGGED_MODEL_STATUS = {
    "PENDING": "LOGGED_MODEL_PENDING",
    "READY": "LOGGED_MODEL_READY",
    "FAILED": "LOGGED_MODEL_UPLOAD_FAILED",
}
LOGGED_MODEL_STATUS_FROM_MLFLOW = {v: k for k, v in _LOGGED_MODEL_STATUS.items()}


def artifact_uri(location: str) -> str:
    """The URI MLflow's client reads and writes ``location`` at: this server's
    ``mlflow-artifacts`` for the artifact root, the object store's own URI for a location
    in an external store (the client goes there itself)."""
    return location if is_external_location(location) else ARTIFACT_SCHEME + location


def float_json(value: float) -> float | str:
    """proto3 JSON's double: NaN and the infinities are strings."""
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def key_values(mapping: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in mapping.items()]


# -- tracking -----------------------------------------------------------------------------
def experiment_json(experiment: Experiment) -> dict[str, Any]:
    tags = key_values(experiment.tags)
    if experiment.description and NOTE_TAG not in experiment.tags:
        tags.append({"key": NOTE_TAG, "value": experiment.description})
    return {
        "experiment_id": experiment.experiment_id,
        "name": experiment.name,
        "artifact_location": artifact_uri(experiment.artifact_location),
        "lifecycle_stage": experiment.lifecycle_stage.value,
        "last_update_time": experiment.last_update_time,
        "creation_time": experiment.creation_time,
        "tags": tags,
    }


def run_info_json(info: RunInfo) -> dict[str, Any]:
    document: dict[str, Any] = {
        "run_id": info.run_id,
        "run_uuid": info.run_id,
        "run_name": info.run_name,
        "experiment_id": info.experiment_id,
        "user_id": info.user,
        "status": info.status.value,
        "start_time": info.start_time,
        "artifact_uri": artifact_uri(info.artifact_uri),
        "lifecycle_stage": info.lifecycle_stage.value,
    }
    if info.end_time is not None:
        document["end_time"] = info.end_time
    return document


def run_tags(run: Run) -> list[dict[str, str]]:
    """The run's tags plus the system tags MLflow keeps in tags and we keep in fields.

    A ``mlflow.parentRunId`` that names no run of ours is kept as a plain tag (a dangling
    reference, as MLflow keeps it) and given back as such."""
    info = run.info
    hidden = RUN_FIELD_TAGS if info.parent_run_id else _NAME_AND_USER_TAGS
    tags = [{"key": k, "value": v} for k, v in run.tags.items() if k not in hidden]
    tags.append({"key": RUN_NAME_TAG, "value": info.run_name})
    if info.user:
        tags.append({"key": USER_TAG, "value": info.user})
    if info.parent_run_id:
        tags.append({"key": PARENT_RUN_TAG, "value": info.parent_run_id})
    return tags


def run_json(run: Run) -> dict[str, Any]:
    return {
        "info": run_info_json(run.info),
        "data": {
            "metrics": [
                {
                    "key": key,
                    "value": float_json(s.value),
                    "timestamp": s.timestamp,
                    "step": s.step,
                }
                for key, s in run.metrics.items()
            ],
            "params": key_values(run.params),
            "tags": run_tags(run),
        },
        "inputs": run_inputs_json(run),
        "outputs": run_outputs_json(run),
    }


def dataset_json(dataset: Dataset) -> dict[str, Any]:
    document = {
        "name": dataset.name,
        "digest": dataset.digest,
        "source_type": dataset.source_type,
        "source": dataset.source,
    }
    if dataset.schema is not None:
        document["schema"] = dataset.schema
    if dataset.profile is not None:
        document["profile"] = dataset.profile
    return document


def run_inputs_json(run: Run) -> dict[str, Any]:
    """MLflow's RunInputs; empty lists are left out, as proto3 JSON does."""
    inputs = run.inputs
    document: dict[str, Any] = {}
    if inputs.datasets:
        document["dataset_inputs"] = [
            {"tags": key_values(d.tags), "dataset": dataset_json(d.dataset)}
            for d in inputs.datasets
        ]
    if inputs.models:
        document["model_inputs"] = [{"model_id": m.model_id} for m in inputs.models]
    return document


def run_outputs_json(run: Run) -> dict[str, Any]:
    """MLflow's RunOutputs: each logged model the run produced, with its step."""
    if not run.outputs.models:
        return {}
    return {"model_outputs": [{"model_id": m.model_id, "step": m.step} for m in run.outputs.models]}


def dataset_summary_json(summary: DatasetSummary) -> dict[str, Any]:
    document = {
        "experiment_id": summary.experiment_id,
        "name": summary.name,
        "digest": summary.digest,
    }
    if summary.context is not None:
        document["context"] = summary.context
    return document


def parse_dataset_input(item: Mapping[str, Any], field: str) -> DatasetInput:
    """One of LogInputs' ``datasets``: ``{"tags": [{key, value}], "dataset": {...}}``.

    Only the JSON shape is checked here (a member of the wrong type, a missing dataset);
    what the values may be is the service's to say, under the same field names.
    """
    raw = item.get("dataset")
    if raw is None:
        raise InvalidParameter(f"{field}.dataset is required", field=f"{field}.dataset")
    if not isinstance(raw, Mapping):
        raise InvalidParameter(f"{field}.dataset must be an object", field=f"{field}.dataset")
    texts: dict[str, Any] = {}
    for name in ("name", "digest", "source_type", "source", "schema", "profile"):
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            where = f"{field}.dataset.{name}"
            raise InvalidParameter(f"{where} must be a string", field=where)
        texts[name] = value
    dataset = Dataset(
        name=texts["name"],
        digest=texts["digest"],
        source_type=texts["source_type"],
        source=texts["source"] or "",
        schema=texts["schema"],
        profile=texts["profile"],
    )
    tags = item.get("tags") or []
    if not isinstance(tags, list):
        raise InvalidParameter(f"{field}.tags must be a list", field=f"{field}.tags")
    parsed: dict[str, str] = {}
    for index, tag in enumerate(tags):
        where = f"{field}.tags[{index}]"
        key = tag.get("key") if isinstance(tag, Mapping) else None
        value = tag.get("value", "") if isinstance(tag, Mapping) else None
        if not isinstance(key, str) or not key:
            raise InvalidParameter(f"{where}.key must be a non-empty string", field=f"{where}.key")
        if not isinstance(value, str):
            raise InvalidParameter(f"{where}.value must be a string", field=f"{where}.value")
        parsed[key] = value
    return DatasetInput(dataset, parsed)


def metric_json(metric: Metric) -> dict[str, Any]:
    return {
        "key": metric.key,
        "value": float_json(metric.value),
        "timestamp": metric.timestamp,
        "step": metric.step,
    }


def file_info_json(info: FileInfo, name: str | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {"path": info.path if name is None else name, "is_dir": info.is_dir}
    if info.file_size is not None:
        document["file_size"] = info.file_size
    return document


class RunSystemTags:
    """The system tags MLflow's client sends with a run's tags, split from the plain ones.

    ``mlflow.runName`` is the run's name and ``mlflow.user`` a user the client asks to be
    recorded (the caller decides whether it may be: see ``tracking.run_user``); both are
    run fields here. ``mlflow.parentRunId`` is left among the plain tags too: the caller
    makes it the parent field when it names a run of ours, else it stays a plain tag.
    """

    __slots__ = ("name", "parent", "plain", "user")

    def __init__(self, tags: Mapping[str, str]) -> None:
        self.plain = {k: v for k, v in tags.items() if k not in _NAME_AND_USER_TAGS}
        self.name: str | None = tags.get(RUN_NAME_TAG) or None
        self.user: str | None = tags.get(USER_TAG) or None
        self.parent: str | None = tags.get(PARENT_RUN_TAG) or None


def parse_metric(item: Mapping[str, Any], field: str, default_timestamp: int) -> Metric:
    from .call import to_float, to_int

    key = item.get("key")
    if not isinstance(key, str):
        raise InvalidParameter(f"{field}.key must be a string", field=f"{field}.key")
    if "value" not in item:
        raise InvalidParameter(
            f"Missing value for required parameter '{field}.value'", field=f"{field}.value"
        )
    return Metric(
        key,
        to_float(item["value"], f"{field}.value"),
        to_int(item.get("timestamp"), f"{field}.timestamp", default_timestamp),
        to_int(item.get("step"), f"{field}.step", 0),
    )


# -- registry -----------------------------------------------------------------------------
def model_version_json(version: ModelVersion) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": version.name,
        "version": version.version,
        "creation_timestamp": version.creation_timestamp,
        "last_updated_timestamp": version.last_updated_timestamp,
        "user_id": version.user_id,
        "current_stage": version.current_stage,
        "description": version.description,
        "source": version.source,
        "status": version.status,
        "status_message": version.status_message,
        "tags": key_values(version.tags),
        "run_link": version.run_link,
        "aliases": list(version.aliases),
    }
    if version.run_id:
        document["run_id"] = version.run_id
    if version.model_id:
        document["model_id"] = version.model_id
    return document


def registered_model_json(model: RegisteredModel) -> dict[str, Any]:
    return {
        "name": model.name,
        "creation_timestamp": model.creation_timestamp,
        "last_updated_timestamp": model.last_updated_timestamp,
        "user_id": model.owner,
        "description": model.description,
        "latest_versions": [model_version_json(v) for v in model.latest_versions],
        "tags": key_values(model.tags),
        "aliases": [{"alias": a, "version": v} for a, v in model.aliases.items()],
    }


def logged_model_json(model: LoggedModel) -> dict[str, Any]:
    info: dict[str, Any] = {
        "model_id": model.model_id,
        "experiment_id": model.experiment_id,
        "name": model.name,
        "creation_timestamp_ms": model.creation_timestamp,
        "last_updated_timestamp_ms": model.last_updated_timestamp,
        "artifact_uri": artifact_uri(model.artifact_location),
        "status": _LOGGED_MODEL_STATUS.get(model.status, "LOGGED_MODEL_STATUS_UNSPECIFIED"),
        "status_message": model.status_message,
        "tags": key_values(model.tags),
    }
    if model.model_type:
        info["model_type"] = model.model_type
    if model.source_run_id:
        info["source_run_id"] = model.source_run_id
    metrics = []
    for m in model.metrics:
        point: dict[str, Any] = {
            "key": m.key,
            "value": float_json(m.value),
            "timestamp": m.timestamp,
            "step": m.step,
        }
        # MLflow's Metric of a logged model names the model, its run and its dataset.
        point["model_id"] = model.model_id
        if m.run_id:
            point["run_id"] = m.run_id
        if m.dataset_name:
            point["dataset_name"] = m.dataset_name
        if m.dataset_digest:
            point["dataset_digest"] = m.dataset_digest
        metrics.append(point)
    return {"info": info, "data": {"params": key_values(model.params), "metrics": metrics}}
