"""The REST API's JSON shapes: entities to JSON and request bodies to values.

Pure functions without tornado, so the client's REST transport can share the wire format.
Floats follow the proto3 JSON mapping: NaN and the infinities travel as the strings
``"NaN"``, ``"Infinity"`` and ``"-Infinity"`` (plain JSON has no spelling for them), and
requests accept those strings as well as numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, cast

from ..errors import InvalidParameter
from ..tracking.entities import (
    Experiment,
    FileInfo,
    Metric,
    MetricBucket,
    MetricSummary,
    Run,
    RunInfo,
)

_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}

JSONObject = dict[str, Any]


# -- floats --------------------------------------------------------------------------------
def encode_float(value: float | None) -> float | str | None:
    if value is None or math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def decode_float(value: Any) -> Any:
    """``"NaN"``/``"Infinity"``/``"-Infinity"`` become floats; anything else is returned
    unchanged for validation to judge (so ``"abc"`` is reported, not guessed at)."""
    if isinstance(value, str) and value in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[value]
    return value


def dumps(document: Any) -> str:
    """Strict JSON: a float that slipped through unencoded is a bug, not a ``NaN`` token."""
    return json.dumps(document, allow_nan=False, ensure_ascii=False)


# -- entities -> JSON ----------------------------------------------------------------------
def experiment_json(experiment: Experiment) -> JSONObject:
    return {
        "experiment_id": experiment.experiment_id,
        "name": experiment.name,
        "owner": experiment.owner,
        "description": experiment.description,
        "artifact_location": experiment.artifact_location,
        "lifecycle_stage": experiment.lifecycle_stage.value,
        "creation_time": experiment.creation_time,
        "last_update_time": experiment.last_update_time,
        "tags": dict(experiment.tags),
    }


def run_info_json(info: RunInfo) -> JSONObject:
    return {
        "run_id": info.run_id,
        "run_name": info.run_name,
        "experiment_id": info.experiment_id,
        "user": info.user,
        "status": info.status.value,
        "start_time": info.start_time,
        "end_time": info.end_time,
        "parent_run_id": info.parent_run_id,
        "lifecycle_stage": info.lifecycle_stage.value,
        "artifact_uri": info.artifact_uri,
    }


def metric_summary_json(summary: MetricSummary) -> JSONObject:
    return {
        "value": encode_float(summary.value),
        "step": summary.step,
        "timestamp": summary.timestamp,
        "min": encode_float(summary.min),
        "max": encode_float(summary.max),
    }


def run_json(run: Run) -> JSONObject:
    return {
        "info": run_info_json(run.info),
        "params": dict(run.params),
        "tags": dict(run.tags),
        "metrics": {key: metric_summary_json(s) for key, s in run.metrics.items()},
    }


def metric_point_json(point: Metric | MetricBucket) -> JSONObject:
    body: JSONObject = {
        "step": point.step,
        "timestamp": point.timestamp,
        "value": encode_float(point.value),
    }
    if isinstance(point, MetricBucket):
        body["min"] = encode_float(point.min)
        body["max"] = encode_float(point.max)
        body["count"] = point.count
    return body


def metric_history_json(key: str, points: Sequence[Metric] | Sequence[MetricBucket]) -> JSONObject:
    return {
        "key": key,
        "downsampled": any(isinstance(p, MetricBucket) for p in points),
        "points": [metric_point_json(p) for p in points],
    }


def file_info_json(info: FileInfo) -> JSONObject:
    return {"path": info.path, "is_dir": info.is_dir, "file_size": info.file_size}


# -- JSON -> values ------------------------------------------------------------------------
class _Pairs(list[tuple[str, Any]]):
    """An object's members in order, kept as pairs so duplicate keys can be seen."""


def _merge_pairs(value: Any, path: str) -> Any:
    if isinstance(value, _Pairs):
        merged: JSONObject = {}
        for key, item in value:
            field = f"{path}.{key}" if path else key
            item = _merge_pairs(item, field)
            if key in merged and merged[key] != item:
                raise InvalidParameter(f"{field} is given twice with different values", field=field)
            merged[key] = item
        return merged
    if isinstance(value, list):
        return [_merge_pairs(item, f"{path}[{i}]") for i, item in enumerate(value)]
    return value


def parse_json_body(raw: bytes, allowed: Sequence[str]) -> JSONObject:
    """Decode a request body that must be a JSON object with only ``allowed`` members.

    An empty body is ``{}``. Malformed JSON is reported on field ``body``; an unknown
    member (most often a typo) on its own name; a member given twice with different
    values (``{"params": {"lr": 1, "lr": 2}}``) on its path (``params.lr``).
    """
    if not raw.strip():
        return {}
    try:
        document = json.loads(raw.decode("utf-8"), object_pairs_hook=_Pairs)
    except UnicodeDecodeError:
        raise InvalidParameter("The request body is not UTF-8 text", field="body") from None
    except json.JSONDecodeError as error:
        raise InvalidParameter(
            f"The request body is not valid JSON: {error.msg} at line {error.lineno} "
            f"column {error.colno}",
            field="body",
        ) from None
    if not isinstance(document, _Pairs):
        raise InvalidParameter("The request body must be a JSON object", field="body")
    body: JSONObject = _merge_pairs(document, "")
    for name in body:
        if name not in allowed:
            raise InvalidParameter(
                f"Unknown field {name!r}; expected one of {', '.join(sorted(allowed))}",
                field=name,
            )
    return body


def metrics_from_json(items: Any, field: str = "metrics") -> list[Metric]:
    """``[{"key", "value", "step"?, "timestamp"?}]`` to Metric entities.

    Only the JSON shape is checked here; types and ranges are the service's job, so a
    string step arrives there as a string and is reported as ``metrics[i].step``.
    A missing timestamp stays None: the service stamps it.
    """
    if items is None:
        return []
    if not isinstance(items, list):
        raise InvalidParameter(f"{field} must be an array of metric objects", field=field)
    metrics: list[Metric] = []
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        if not isinstance(item, Mapping):
            raise InvalidParameter(f"{where} must be an object", field=where)
        for name in item:
            if name not in ("key", "value", "step", "timestamp"):
                raise InvalidParameter(
                    f"Unknown field {name!r} in {where}", field=f"{where}.{name}"
                )
        for required in ("key", "value"):
            if required not in item:
                raise InvalidParameter(
                    f"{where}.{required} is required", field=f"{where}.{required}"
                )
        metrics.append(
            Metric(
                key=item["key"],
                value=decode_float(item["value"]),
                # None (not sent) is stamped with the current time by the service.
                timestamp=cast(int, item.get("timestamp")),
                step=item.get("step", 0),
            )
        )
    return metrics
