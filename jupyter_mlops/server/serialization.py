"""The REST API's JSON shapes: entities to JSON and request bodies to values.

Pure functions without tornado, so the client's REST transport can share the wire format.
Floats follow the proto3 JSON mapping: NaN and the infinities travel as the strings
``"NaN"``, ``"Infinity"`` and ``"-Infinity"`` (plain JSON has no spelling for them), and
requests accept those strings as well as numbers.
"""

from __future__ import annotations

import json
import math
import sys
from array import array
from collections.abc import Mapping, Sequence
from typing import Any, cast

from ..errors import InvalidParameter
from ..tracking.entities import (
    DATASET_CONTEXT_TAG,
    Dataset,
    DatasetInput,
    Experiment,
    FileInfo,
    LoggedModelRef,
    Metric,
    MetricBucket,
    MetricSummary,
    Run,
    RunInfo,
    RunMetricHistory,
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


def dataset_json(dataset: Dataset) -> JSONObject:
    return {
        "name": dataset.name,
        "digest": dataset.digest,
        "source_type": dataset.source_type,
        "source": dataset.source,
        "schema": dataset.schema,
        "profile": dataset.profile,
    }


def dataset_input_json(item: DatasetInput) -> JSONObject:
    return {"dataset": dataset_json(item.dataset), "context": item.context, "tags": dict(item.tags)}


def logged_model_ref_json(model: LoggedModelRef) -> JSONObject:
    return {"model_id": model.model_id, "name": model.name}


# Most runs have no inputs or outputs; a listing of a thousand shares these two shapes.
_NO_INPUTS_JSON: JSONObject = {"datasets": [], "models": []}
_NO_OUTPUTS_JSON: JSONObject = {"models": []}


def run_json(run: Run) -> JSONObject:
    inputs, outputs = run.inputs, run.outputs
    return {
        "info": run_info_json(run.info),
        "params": dict(run.params),
        "tags": dict(run.tags),
        "metrics": {key: metric_summary_json(s) for key, s in run.metrics.items()},
        "inputs": {
            "datasets": [dataset_input_json(d) for d in inputs.datasets],
            "models": [logged_model_ref_json(m) for m in inputs.models],
        }
        if inputs.datasets or inputs.models
        else _NO_INPUTS_JSON,
        "outputs": {"models": [logged_model_ref_json(m) for m in outputs.models]}
        if outputs.models
        else _NO_OUTPUTS_JSON,
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


def run_metric_history_json(history: RunMetricHistory) -> JSONObject:
    return {"run_id": history.run_id, **metric_history_json(history.key, history.points)}


# One point of a full history as JSON text. %d and %r spell ints and finite floats exactly
# as json.dumps does (int.__repr__, float.__repr__).
_POINT_TEXT = '{"step":%d,"timestamp":%d,"value":%r}'


def metric_history_text(key: str, points: Sequence[Metric] | Sequence[MetricBucket]) -> str:
    """``dumps(metric_history_json(key, points))``, about twice as fast for a long history
    of plain points (100,000 of them make a 7 MB answer): the text is formatted directly,
    without a dict per point. Anything else (buckets, a non-finite value, a type that a
    store should not return) takes the general path."""
    if points and set(map(type, points)) == {Metric}:
        metrics = cast(Sequence[Metric], points)
        values = [p.value for p in metrics]
        steps = [p.step for p in metrics]
        stamps = [p.timestamp for p in metrics]
        if (
            set(map(type, values)) == {float}
            and math.isfinite(sum(values))  # a NaN or an infinity makes the sum non-finite
            and set(map(type, steps)) == {int}
            and set(map(type, stamps)) == {int}
        ):
            rows = zip(steps, stamps, values, strict=True)
            body = ",".join([_POINT_TEXT % row for row in rows])
            return f'{{"key":{dumps(key)},"downsampled":false,"points":[{body}]}}'
    return dumps(metric_history_json(key, points))


def file_info_json(info: FileInfo) -> JSONObject:
    return {"path": info.path, "is_dir": info.is_dir, "file_size": info.file_size}


#: Media type of a full metric history as packed numbers, for clients that ask for it in
#: ``Accept``: n int64 steps, then n int64 timestamps, then n float64 values (IEEE 754,
#: so NaN and the infinities need no spelling), all little-endian; n = length / 24. The
#: key is the one requested. A downsampled history is always answered as JSON.
HISTORY_BINARY_TYPE = "application/vnd.jupyter-mlops.metric-history+octet-stream"


def metric_history_binary(points: Sequence[Metric] | Sequence[MetricBucket]) -> bytes | None:
    """The HISTORY_BINARY_TYPE body of a full history; None for buckets (JSON only).

    A 100,000-point history packs in milliseconds, where its JSON spends most of a
    hundred formatting and parsing float text.
    """
    if points and set(map(type, points)) != {Metric}:
        return None
    metrics = cast(Sequence[Metric], points)
    try:
        columns = (
            array("q", [p.step for p in metrics]),
            array("q", [p.timestamp for p in metrics]),
            array("d", [p.value for p in metrics]),
        )
    except (TypeError, OverflowError):  # not what a store returns; JSON will say what it is
        return None
    if sys.byteorder == "big":
        for column in columns:
            column.byteswap()
    return b"".join(column.tobytes() for column in columns)


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
    if not raw or raw.isspace():  # the bytes strip() would remove, without copying them
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidParameter("The request body is not UTF-8 text", field="body") from None
    # Objects become dicts at once, noting whether any of them repeats a member; only then
    # is the body decoded again keeping pairs, to merge or refuse the repeats by path. A
    # 1,000-point batch is 1,000 objects: keeping pairs for all of them and walking them
    # again would cost more than decoding them.
    repeated = False

    def to_dict(pairs: list[tuple[str, Any]]) -> JSONObject:
        nonlocal repeated
        obj = dict(pairs)
        if len(obj) != len(pairs):
            repeated = True
        return obj

    document = _loads(text, to_dict)
    if repeated:
        pairs = _loads(text, _Pairs)
        try:
            document = _merge_pairs(pairs, "") if isinstance(pairs, _Pairs) else pairs
        except RecursionError:
            raise _too_deep() from None
    if type(document) is not dict:
        raise InvalidParameter("The request body must be a JSON object", field="body")
    for name in document:
        if name not in allowed:
            raise InvalidParameter(
                f"Unknown field {name!r}; expected one of {', '.join(sorted(allowed))}",
                field=name,
            )
    return document


def _loads(text: str, object_pairs_hook: Any) -> Any:
    try:
        return json.loads(text, object_pairs_hook=object_pairs_hook)
    except json.JSONDecodeError as error:
        raise InvalidParameter(
            f"The request body is not valid JSON: {error.msg} at line {error.lineno} "
            f"column {error.colno}",
            field="body",
        ) from None
    except RecursionError:  # "[[[[..." a thousand deep: the decoder recurses per level
        raise _too_deep() from None


def _too_deep() -> InvalidParameter:
    return InvalidParameter("The request body is nested too deeply", field="body")


_METRIC_MEMBERS = frozenset(("key", "value", "step", "timestamp"))


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
    append = metrics.append
    for index, item in enumerate(items):
        # A well-formed point (nearly all of them) is converted inline; any other goes
        # through the checks below, which name what is wrong with it.
        if (
            type(item) is dict
            and "key" in item
            and "value" in item
            and item.keys() <= _METRIC_MEMBERS
        ):
            value = item["value"]
            if type(value) is str:
                value = decode_float(value)
            # A missing timestamp stays None: the service stamps it.
            stamp = cast(int, item.get("timestamp"))
            append(Metric(item["key"], value, stamp, item.get("step", 0)))
            continue
        where = f"{field}[{index}]"
        if not isinstance(item, Mapping):
            raise InvalidParameter(f"{where} must be an object", field=where)
        for name in item:
            if name not in _METRIC_MEMBERS:
                raise InvalidParameter(
                    f"Unknown field {name!r} in {where}", field=f"{where}.{name}"
                )
        for required in ("key", "value"):
            if required not in item:
                raise InvalidParameter(
                    f"{where}.{required} is required", field=f"{where}.{required}"
                )
        append(
            Metric(
                key=item["key"],
                value=decode_float(item["value"]),
                # None (not sent) is stamped with the current time by the service.
                timestamp=cast(int, item.get("timestamp")),
                step=item.get("step", 0),
            )
        )
    return metrics


def dataset_inputs_from_json(items: Any, field: str = "datasets") -> list[DatasetInput]:
    """``[{"dataset": {"name", "digest", "source_type"?, "source"?, "schema"?, "profile"?},
    "context"?, "tags"?}]`` to DatasetInput entities: the shape runs are read in.

    ``context`` sets the ``mlflow.data.context`` tag; a missing ``source_type`` is
    ``"code"`` (the data came from code) and a missing ``source`` ``""``. Only the JSON
    shape is checked here; the service checks the values under the same field names
    (``datasets[0].dataset.name``).
    """
    if items is None:
        return []
    if not isinstance(items, list):
        raise InvalidParameter(f"{field} must be an array of dataset inputs", field=field)
    parsed: list[DatasetInput] = []
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        _check_members(item, where, _DATASET_INPUT_MEMBERS)
        raw = item.get("dataset")
        if raw is None:
            raise InvalidParameter(f"{where}.dataset is required", field=f"{where}.dataset")
        _check_members(raw, f"{where}.dataset", _DATASET_MEMBERS)
        tags = item.get("tags")
        if tags is not None and not isinstance(tags, Mapping):
            raise InvalidParameter(f"{where}.tags must be an object", field=f"{where}.tags")
        tags = dict(tags or {})
        if item.get("context") is not None:
            tags[DATASET_CONTEXT_TAG] = item["context"]
        dataset = Dataset(
            name=raw.get("name"),
            digest=raw.get("digest"),
            source_type=raw.get("source_type", "code"),
            source=raw.get("source", ""),
            schema=raw.get("schema"),
            profile=raw.get("profile"),
        )
        parsed.append(DatasetInput(dataset, tags))
    return parsed


def model_ids_from_json(items: Any, field: str = "models") -> list[Any]:
    """``[{"model_id": "m-..."}]`` to the ids (checked by the service as ``models[i].model_id``)."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise InvalidParameter(f"{field} must be an array of objects", field=field)
    ids = []
    for index, item in enumerate(items):
        _check_members(item, f"{field}[{index}]", _MODEL_MEMBERS)
        ids.append(item.get("model_id"))
    return ids


def _check_members(item: Any, where: str, allowed: frozenset[str]) -> None:
    if not isinstance(item, Mapping):
        raise InvalidParameter(f"{where} must be an object", field=where)
    for name in item:
        if name not in allowed:
            raise InvalidParameter(f"Unknown field {name!r} in {where}", field=f"{where}.{name}")


_DATASET_INPUT_MEMBERS = frozenset(("dataset", "context", "tags"))
_DATASET_MEMBERS = frozenset(("name", "digest", "source_type", "source", "schema", "profile"))
_MODEL_MEMBERS = frozenset(("model_id",))
