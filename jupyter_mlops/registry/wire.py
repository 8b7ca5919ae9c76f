"""The native REST API's JSON shapes of registry entities, both ways (pure).

The server's handlers write these; the client's REST transport reads them back into
the same entities, so both sides share one definition of the wire format.
"""

from __future__ import annotations

import math
from typing import Any

from .entities import LoggedModel, LoggedModelMetric, ModelLocation, ModelVersion, RegisteredModel

JSONObject = dict[str, Any]


def model_version_json(version: ModelVersion) -> JSONObject:
    return {
        "name": version.name,
        "version": version.version,
        "creation_timestamp": version.creation_timestamp,
        "last_updated_timestamp": version.last_updated_timestamp,
        "description": version.description,
        "user_id": version.user_id,
        "current_stage": version.current_stage,
        "source": version.source,
        "run_id": version.run_id,
        "status": version.status,
        "status_message": version.status_message,
        "tags": dict(version.tags),
        "aliases": list(version.aliases),
        "run_link": version.run_link,
        "model_id": version.model_id,
        "storage_location": version.storage_location,
    }


def registered_model_json(model: RegisteredModel) -> JSONObject:
    return {
        "name": model.name,
        "creation_timestamp": model.creation_timestamp,
        "last_updated_timestamp": model.last_updated_timestamp,
        "description": model.description,
        "owner": model.owner,
        "tags": dict(model.tags),
        "aliases": dict(model.aliases),
        "latest_versions": [model_version_json(v) for v in model.latest_versions],
    }


def _float(value: float) -> float | str:
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def logged_model_json(model: LoggedModel) -> JSONObject:
    return {
        "model_id": model.model_id,
        "experiment_id": model.experiment_id,
        "name": model.name,
        "artifact_location": model.artifact_location,
        "creation_timestamp": model.creation_timestamp,
        "last_updated_timestamp": model.last_updated_timestamp,
        "status": model.status,
        "status_message": model.status_message,
        "source_run_id": model.source_run_id,
        "model_type": model.model_type,
        "creator_id": model.creator_id,
        "tags": dict(model.tags),
        "params": dict(model.params),
        "metrics": [
            {
                "key": m.key,
                "value": _float(m.value),
                "timestamp": m.timestamp,
                "step": m.step,
                "run_id": m.run_id,
            }
            for m in model.metrics
        ],
    }


def model_location_json(location: ModelLocation) -> JSONObject:
    return {
        "storage_location": location.storage_location,
        "run_id": location.run_id,
        "model_version": (
            None if location.model_version is None else model_version_json(location.model_version)
        ),
        "logged_model": (
            None if location.logged_model is None else logged_model_json(location.logged_model)
        ),
    }


# -- JSON -> entities (the client side) ----------------------------------------------------
def model_version_from_json(data: JSONObject) -> ModelVersion:
    return ModelVersion(
        name=data["name"],
        version=str(data["version"]),
        creation_timestamp=data["creation_timestamp"],
        last_updated_timestamp=data["last_updated_timestamp"],
        description=data.get("description", ""),
        user_id=data.get("user_id", ""),
        current_stage=data.get("current_stage", "None"),
        source=data["source"],
        run_id=data.get("run_id"),
        status=data.get("status", "READY"),
        status_message=data.get("status_message", ""),
        tags=dict(data.get("tags") or {}),
        aliases=list(data.get("aliases") or []),
        run_link=data.get("run_link") or "",
        model_id=data.get("model_id"),
        storage_location=data.get("storage_location", ""),
    )


def registered_model_from_json(data: JSONObject) -> RegisteredModel:
    return RegisteredModel(
        name=data["name"],
        creation_timestamp=data["creation_timestamp"],
        last_updated_timestamp=data["last_updated_timestamp"],
        description=data.get("description", ""),
        owner=data.get("owner", ""),
        tags=dict(data.get("tags") or {}),
        aliases=dict(data.get("aliases") or {}),
        latest_versions=[model_version_from_json(v) for v in data.get("latest_versions") or []],
    )


def _number(value: Any) -> float:
    return float(value)  # "NaN", "Infinity" and "-Infinity" parse as floats too


def logged_model_from_json(data: JSONObject) -> LoggedModel:
    return LoggedModel(
        model_id=data["model_id"],
        experiment_id=str(data["experiment_id"]),
        name=data["name"],
        artifact_location=data["artifact_location"],
        creation_timestamp=data["creation_timestamp"],
        last_updated_timestamp=data["last_updated_timestamp"],
        status=data["status"],
        status_message=data.get("status_message", ""),
        source_run_id=data.get("source_run_id"),
        model_type=data.get("model_type"),
        tags=dict(data.get("tags") or {}),
        params=dict(data.get("params") or {}),
        metrics=[
            LoggedModelMetric(
                m["key"], _number(m["value"]), m["timestamp"], m.get("step", 0), m.get("run_id")
            )
            for m in data.get("metrics") or []
        ],
        creator_id=data.get("creator_id", ""),
    )


def model_location_from_json(data: JSONObject) -> ModelLocation:
    version = data.get("model_version")
    logged = data.get("logged_model")
    return ModelLocation(
        storage_location=data["storage_location"],
        model_version=None if version is None else model_version_from_json(version),
        logged_model=None if logged is None else logged_model_from_json(logged),
        run_id=data.get("run_id"),
    )
