"""JSON of the native REST API <-> tracking entities, as the REST transport sees it.

Non-finite floats travel as the strings "NaN", "Infinity" and "-Infinity" (the proto3
JSON mapping), because plain JSON has no spelling for them.
"""

from __future__ import annotations

import json
import math
import sys
from array import array
from collections.abc import Mapping, Sequence
from http.client import responses
from itertools import repeat
from typing import Any

from ..errors import (
    AlreadyExists,
    InsufficientStorage,
    InvalidParameter,
    InvalidState,
    MLOpsError,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
)
from ..tracking.entities import (
    NO_INPUTS,
    NO_OUTPUTS,
    Dataset,
    DatasetInput,
    Experiment,
    FileInfo,
    LifecycleStage,
    LoggedModelRef,
    Metric,
    MetricBucket,
    MetricSummary,
    Run,
    RunInfo,
    RunInputs,
    RunOutputs,
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
        InsufficientStorage,
    )
}
_ERRORS_BY_STATUS: dict[int, type[MLOpsError]] = {
    400: InvalidParameter,
    401: PermissionDenied,
    403: PermissionDenied,
    404: NotFound,
    413: PayloadTooLarge,
    507: InsufficientStorage,
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


def metrics_to_json(metrics: Sequence[Metric]) -> list[dict[str, Any]]:
    return [metric_to_json(m) for m in metrics]


def model_refs_to_json(model_ids: Sequence[str]) -> list[dict[str, str]]:
    """The ``models`` of ``POST runs/{id}/inputs``."""
    return [{"model_id": m} for m in model_ids]


# One metric point as JSON text; %d and %r spell ints and finite floats exactly as
# json.dumps does (int.__repr__, float.__repr__). The key is inserted already encoded.
_POINT_TEXT = '{"key":%s,"value":%r,"step":%d,"timestamp":%d}'


def metrics_to_json_text(metrics: Sequence[Metric]) -> str:
    """``json.dumps([metric_to_json(m) for m in metrics])``, about twice as fast for the
    usual batch (finite float values, int steps and times): each point is formatted as
    text directly and each distinct key encoded once. Anything else takes that path."""
    try:
        values = [m.value for m in metrics]
        steps = [m.step for m in metrics]
        stamps = [m.timestamp for m in metrics]
        if (
            set(map(type, values)) <= {float}
            and math.isfinite(sum(values))  # a NaN or an infinity makes the sum non-finite
            and set(map(type, steps)) <= {int}
            and set(map(type, stamps)) <= {int}
        ):
            keys = {key: json.dumps(key) for key in {m.key for m in metrics}}
            points = zip([keys[m.key] for m in metrics], values, steps, stamps, strict=True)
            return "[" + ",".join([_POINT_TEXT % point for point in points]) + "]"
    except TypeError:  # a key that cannot be a JSON string: let json.dumps say so
        pass
    return json.dumps([metric_to_json(m) for m in metrics], allow_nan=False)


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
        inputs=_inputs_from_json(data.get("inputs")),
        outputs=_outputs_from_json(data.get("outputs")),
    )


def _model_refs(items: Any) -> tuple[LoggedModelRef, ...]:
    return tuple(LoggedModelRef(m["model_id"], m.get("name")) for m in items or ())


def _inputs_from_json(data: Mapping[str, Any] | None) -> RunInputs:
    if not data or not (data.get("datasets") or data.get("models")):
        return NO_INPUTS  # a server from before inputs, or a run without any
    datasets = tuple(
        DatasetInput(
            Dataset(
                name=d["dataset"]["name"],
                digest=d["dataset"]["digest"],
                source_type=d["dataset"]["source_type"],
                source=d["dataset"]["source"],
                schema=d["dataset"].get("schema"),
                profile=d["dataset"].get("profile"),
            ),
            dict(d.get("tags") or {}),
        )
        for d in data.get("datasets") or ()
    )
    return RunInputs(datasets, _model_refs(data.get("models")))


def _outputs_from_json(data: Mapping[str, Any] | None) -> RunOutputs:
    if not data or not data.get("models"):
        return NO_OUTPUTS
    return RunOutputs(_model_refs(data["models"]))


def dataset_inputs_to_json(datasets: Sequence[DatasetInput]) -> list[dict[str, Any]]:
    """The ``datasets`` of ``POST runs/{id}/inputs`` (tags carry the context)."""
    return [
        {
            "dataset": {
                "name": d.dataset.name,
                "digest": d.dataset.digest,
                "source_type": d.dataset.source_type,
                "source": d.dataset.source,
                "schema": d.dataset.schema,
                "profile": d.dataset.profile,
            },
            "tags": dict(d.tags),
        }
        for d in datasets
    ]


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
    # A full history can be 100,000 points: build them straight from the decoded JSON,
    # then check the types in bulk; only an unusual answer (a non-finite value sent as
    # a string, a number where an int belongs) is converted point by point.
    try:
        history = [Metric(key, p["value"], p["timestamp"], p["step"]) for p in points]
    except (KeyError, TypeError):
        history = None
    if (
        history is not None
        and set(map(type, [m.value for m in history])) <= {float}
        and set(map(type, [m.timestamp for m in history])) <= {int}
        and set(map(type, [m.step for m in history])) <= {int}
    ):
        return history
    return [
        Metric(
            key=key,
            value=decode_float(p["value"]),
            timestamp=int(p["timestamp"]),
            step=int(p["step"]),
        )
        for p in points
    ]


def history_from_binary(key: str, body: bytes) -> list[Metric]:
    """A full history sent packed (``serialization.HISTORY_BINARY_TYPE``): n int64 steps,
    n int64 timestamps, n float64 values, little-endian."""
    n, rest = divmod(len(body), 24)
    if rest:
        raise MLOpsError(f"A packed metric history cannot be {len(body)} bytes long")
    steps, stamps, values = array("q"), array("q"), array("d")
    steps.frombytes(body[: 8 * n])
    stamps.frombytes(body[8 * n : 16 * n])
    values.frombytes(body[16 * n :])
    if sys.byteorder == "big":
        for column in (steps, stamps, values):
            column.byteswap()
    return list(map(Metric, repeat(key, n), values.tolist(), stamps.tolist(), steps.tolist()))


def file_info_from_json(data: Mapping[str, Any]) -> FileInfo:
    size = data.get("file_size")
    return FileInfo(
        path=data["path"],
        is_dir=bool(data["is_dir"]),
        file_size=None if size is None else int(size),
    )
