"""JSON of the native REST API <-> tracking entities, as the REST transport sees it.

Non-finite floats travel as the strings "NaN", "Infinity" and "-Infinity" (the proto3
JSON mapping), because plain JSON has no spelling for them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from http.client import responses
from typing import Any

from ..errors import (
    AlreadyExists,
    InvalidParameter,
    InvalidState,
    MLOpsError,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
)
from ..tracking.entities import (
    Experiment,
    FileInfo,
    LifecycleStage,
    Metric,
    MetricBucket,
    MetricSummary,
    Run,
    RunInfo,
    RunStatus,
)

_ERRORS_BY_CODE: dict[str, type[MLOpsError]] = {
    cls.code: cls
    for cls in (
        InvalidParameter,
        NotFound,
        AlreadyExists,
        InvalidState,
        PermissionDenied,
        PayloadTooLarge,
    )
}
_ERRORS_BY_STATUS: dict[int, type[MLOpsError]] = {
    400: InvalidParameter,
    401: PermissionDenied,
    403: PermissionDenied,
    404: NotFound,
    413: PayloadTooLarge,
}
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def encode_float(value: float) -> float | str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def decode_float(value: Any) -> float:
    if isinstance(value, str):
        try:
            return _NON_FINITE[value]
        except KeyError:
            return float(value)
    return float(value)


def _decode_optional_float(value: Any) -> float | None:
    return None if value is None else decode_float(value)


def metric_to_json(metric: Metric) -> dict[str, Any]:
    return {
        "key": metric.key,
        "value": encode_float(metric.value),
        "step": metric.step,
        "timestamp": metric.timestamp,
    }


def error_from_response(status: int, body: Any, reason: str) -> MLOpsError:
    """The MLOpsError a failed response stands for, the same class the store would raise."""
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):  # not our API answering (a proxy, a bare 404, ...)
        detail = body.get("message") if isinstance(body, Mapping) else None
        status_line = f"HTTP {status} {reason}".strip()
        error = {"message": f"{status_line}: {detail}" if detail else status_line}
    code = str(error.get("code"))
    cls = _ERRORS_BY_CODE.get(code) or _ERRORS_BY_STATUS.get(status, MLOpsError)
    message = str(error.get("message") or f"HTTP {status} {reason}".strip())
    if code not in _ERRORS_BY_CODE or message == responses.get(status):
        # Refused by the HTTP layer (bare "Forbidden") rather than by the service: say
        # what to check.
        hint = _HINTS.get(status)
        if hint:
            message = f"{message} ({hint})"
    return cls(message, field=error.get("field"))


_HINTS = {
    401: "check the token: JUPYTER_MLOPS_TOKEN or MlopsClient(token=...)",
    403: "check the token: JUPYTER_MLOPS_TOKEN or MlopsClient(token=...)",
    404: "is this a jupyter server URL with the jupyter_mlops extension enabled?",
}


def experiment_from_json(data: Mapping[str, Any]) -> Experiment:
    return Experiment(
        experiment_id=str(data["experiment_id"]),
        name=data["name"],
        owner=data.get("owner") or "",
        description=data.get("description") or "",
        artifact_location=data.get("artifact_location") or "",
        lifecycle_stage=LifecycleStage(data.get("lifecycle_stage", "active")),
        creation_time=int(data["creation_time"]),
        last_update_time=int(data["last_update_time"]),
        tags=dict(data.get("tags") or {}),
    )


def run_from_json(data: Mapping[str, Any]) -> Run:
    info = data["info"]
    end_time = info.get("end_time")
    return Run(
        info=RunInfo(
            run_id=info["run_id"],
            run_name=info.get("run_name") or "",
            experiment_id=str(info["experiment_id"]),
            user=info.get("user") or "",
            status=RunStatus(info["status"]),
            start_time=int(info["start_time"]),
            end_time=None if end_time is None else int(end_time),
            parent_run_id=info.get("parent_run_id"),
            lifecycle_stage=LifecycleStage(info.get("lifecycle_stage", "active")),
            artifact_uri=info.get("artifact_uri") or "",
        ),
        params=dict(data.get("params") or {}),
        tags=dict(data.get("tags") or {}),
        metrics={
            key: MetricSummary(
                key=key,
                value=decode_float(m["value"]),
                timestamp=int(m["timestamp"]),
                step=int(m["step"]),
                min=_decode_optional_float(m.get("min")),
                max=_decode_optional_float(m.get("max")),
            )
            for key, m in (data.get("metrics") or {}).items()
        },
    )


def history_from_json(data: Mapping[str, Any]) -> list[Metric] | list[MetricBucket]:
    points = data.get("points") or []
    if data.get("downsampled"):
        return [
            MetricBucket(
                step=int(p["step"]),
                timestamp=int(p["timestamp"]),
                value=decode_float(p["value"]),
                min=_decode_optional_float(p.get("min")),
                max=_decode_optional_float(p.get("max")),
                count=int(p.get("count", 1)),
            )
            for p in points
        ]
    key = data["key"]
    return [
        Metric(
            key=key,
            value=decode_float(p["value"]),
            timestamp=int(p["timestamp"]),
            step=int(p["step"]),
        )
        for p in points
    ]


def file_info_from_json(data: Mapping[str, Any]) -> FileInfo:
    size = data.get("file_size")
    return FileInfo(
        path=data["path"],
        is_dir=bool(data["is_dir"]),
        file_size=None if size is None else int(size),
    )
