"""Input shape rules for tracking data, shared by every API.

Pure functions: each checks one value and raises :class:`InvalidParameter` naming the
field (``"metrics[3].value"``, ``"params.lr"``) so that a caller can point at what to fix.
They also normalise where that is unambiguous (an int metric value becomes a float).

Types are checked here rather than trusted from annotations because the values arrive
from JSON bodies and from notebook code alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from operator import attrgetter
from typing import Any

from ..errors import InvalidParameter
from .entities import Dataset, DatasetInput, Metric, RunStatus, ViewType

MAX_KEY_LENGTH = 250
MAX_PARAM_VALUE_LENGTH = 6000
MAX_TAG_VALUE_LENGTH = 5000
MAX_EXPERIMENT_NAME_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 5000
MAX_RUN_NAME_LENGTH = 250
MAX_USER_NAME_LENGTH = 256
# The artifact_location column's size, less room for "/<run_id>/artifacts" of its runs.
MAX_ARTIFACT_LOCATION_LENGTH = 950
MAX_METRICS_PER_BATCH = 1000
MAX_PARAMS_PER_BATCH = 100
MAX_TAGS_PER_BATCH = 100
MAX_RESULTS_LIMIT = 1000
MAX_HISTORY_POINTS_LIMIT = 100_000
MAX_FILTER_LENGTH = 10_000
MAX_ORDER_BY_ITEMS = 20
# Dataset inputs: MLflow's limits (mlflow/utils/validation.py), so that whatever its client
# logs is accepted here and nothing is accepted that MLflow's server would refuse.
MAX_DATASETS_PER_REQUEST = 1000
MAX_MODEL_INPUTS_PER_REQUEST = 1000
MAX_DATASET_NAME_LENGTH = 500
MAX_DATASET_DIGEST_LENGTH = 36
MAX_DATASET_SOURCE_TYPE_LENGTH = 36
MAX_DATASET_SOURCE_LENGTH = 65_535
MAX_DATASET_SCHEMA_LENGTH = 1_048_575
MAX_DATASET_PROFILE_LENGTH = 16_777_215
MAX_INPUT_TAG_KEY_LENGTH = 255
MAX_INPUT_TAG_VALUE_LENGTH = 500
MAX_INPUT_TAGS = 100

# Steps and times are stored as 64-bit integers in every database we support.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_RUN_ID = re.compile(r"[0-9a-f]{32}")
# The registry's logged model ids ("m-" and 32 hex digits; see registry.validation).
_LOGGED_MODEL_ID = re.compile(r"m-[0-9a-f]{32}")
_EXPERIMENT_ID = re.compile(r"[0-9]{1,18}")

# What _require_text refuses, as one C-level scan so that clean text (nearly all of it)
# is accepted without a per-character Python loop: NUL, lone surrogates (UTF-8 cannot
# encode them) and, where refused, the control characters (category Cc is exactly
# U+0000-U+001F and U+007F-U+009F). A hit falls through to the checks that name the problem.
_REFUSED_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_REFUSED_CHARS_ALLOWING_CONTROL = re.compile("[\x00\ud800-\udfff]")

# Keys that passed validate_key. A training loop logs the same few keys thousands of
# times, and a key's validity depends on nothing but its text; bounded so that a caller
# inventing keys cannot grow it without limit.
_VALID_KEYS: set[str] = set()
_VALID_KEYS_LIMIT = 4096


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"


def _require_text(value: Any, field: str, max_length: int, *, allow_control: bool) -> str:
    """A str of at most ``max_length`` characters that every database can store."""
    if type(value) is str and len(value) <= max_length:
        refused = _REFUSED_CHARS_ALLOWING_CONTROL if allow_control else _REFUSED_CHARS
        if refused.search(value) is None:
            return value
    if not isinstance(value, str):
        raise InvalidParameter(f"{field} must be a string, got {_json_type(value)}", field=field)
    if len(value) > max_length:
        raise InvalidParameter(
            f"{field} is {len(value)} characters long; the limit is {max_length}", field=field
        )
    # PostgreSQL text cannot hold NUL, so it is refused even where newlines are fine.
    if "\x00" in value:
        raise InvalidParameter(f"{field} must not contain NUL characters", field=field)
    if not allow_control and any(_is_control(c) for c in value):
        raise InvalidParameter(f"{field} must not contain control characters", field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates ("\ud800") survive JSON decoding but no database driver takes them.
        raise InvalidParameter(f"{field} is not valid Unicode text", field=field) from None
    return value


def _json_type(value: Any) -> str:
    """Name a value's type the way a JSON user thinks of it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    return type(value).__name__


def validate_key(key: Any, field: str = "key") -> str:
    """A param, tag or metric key: 1-250 characters, no control characters, no leading
    ``/`` and no ``..`` segment (keys become file and URL path segments in places)."""
    if type(key) is str and key in _VALID_KEYS:
        return key
    _require_text(key, field, MAX_KEY_LENGTH, allow_control=False)
    if not key:
        raise InvalidParameter(f"{field} must not be empty", field=field)
    if key.startswith("/"):
        raise InvalidParameter(f"{field} must not start with '/'", field=field)
    if ".." in key.split("/"):
        raise InvalidParameter(f"{field} must not contain a '..' path segment", field=field)
    if type(key) is str:  # a str subclass could compare equal yet behave differently
        if len(_VALID_KEYS) >= _VALID_KEYS_LIMIT:
            _VALID_KEYS.clear()
        _VALID_KEYS.add(key)
    return key


def validate_param_value(value: Any, field: str) -> str:
    return _require_text(value, field, MAX_PARAM_VALUE_LENGTH, allow_control=True)


def validate_tag_value(value: Any, field: str) -> str:
    return _require_text(value, field, MAX_TAG_VALUE_LENGTH, allow_control=True)


def validate_experiment_name(name: Any, field: str = "name") -> str:
    _require_text(name, field, MAX_EXPERIMENT_NAME_LENGTH, allow_control=False)
    if not name.strip():
        raise InvalidParameter(f"{field} must not be empty", field=field)
    return name


def validate_description(description: Any, field: str = "description") -> str:
    return _require_text(description, field, MAX_DESCRIPTION_LENGTH, allow_control=True)


def validate_run_name(run_name: Any, field: str = "run_name") -> str:
    return _require_text(run_name, field, MAX_RUN_NAME_LENGTH, allow_control=False)


def validate_user_name(name: Any, field: str = "user") -> str:
    """A user name to record (1-256 characters, no control characters)."""
    _require_text(name, field, MAX_USER_NAME_LENGTH, allow_control=False)
    if not name.strip():
        raise InvalidParameter(f"{field} must not be empty", field=field)
    return name


def validate_artifact_location(uri: Any, field: str = "artifact_location") -> str:
    """An artifact location URI's shape: text of at most 1,000 characters (the column's
    size), no control characters. Where it may point is the service's question."""
    return _require_text(uri, field, MAX_ARTIFACT_LOCATION_LENGTH, allow_control=False)


def validate_experiment_id(experiment_id: Any, field: str = "experiment_id") -> str:
    if not isinstance(experiment_id, str) or not _EXPERIMENT_ID.fullmatch(experiment_id):
        raise InvalidParameter(
            f"{field} must be a decimal experiment id such as '0', got {experiment_id!r}",
            field=field,
        )
    return experiment_id


def validate_experiment_ids(experiment_ids: Any, field: str = "experiment_ids") -> list[str]:
    if isinstance(experiment_ids, str) or not isinstance(experiment_ids, Sequence):
        raise InvalidParameter(f"{field} must be a list of experiment ids", field=field)
    return [validate_experiment_id(e, f"{field}[{i}]") for i, e in enumerate(experiment_ids)]


def validate_run_id(run_id: Any, field: str = "run_id") -> str:
    if not isinstance(run_id, str) or not _RUN_ID.fullmatch(run_id):
        raise InvalidParameter(
            f"{field} must be 32 lowercase hexadecimal characters, got {run_id!r}", field=field
        )
    return run_id


def validate_int(
    value: Any, field: str, *, minimum: int = INT64_MIN, maximum: int = INT64_MAX
) -> int:
    # bool is an int subclass; True as a step is a bug in the caller, not a 1.
    if type(value) is int and minimum <= value <= maximum:  # the common case, first
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParameter(f"{field} must be an integer, got {_json_type(value)}", field=field)
    if not minimum <= value <= maximum:
        raise InvalidParameter(f"{field} must be between {minimum} and {maximum}", field=field)
    return value


def validate_timestamp(value: Any, field: str) -> int:
    """Milliseconds since the epoch."""
    return validate_int(value, field, minimum=0)


def validate_optional_timestamp(value: Any, field: str) -> int | None:
    return None if value is None else validate_timestamp(value, field)


def validate_metric_value(value: Any, field: str) -> float:
    """A real number; NaN and +/-inf are real enough (training diverges)."""
    if type(value) is float:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidParameter(f"{field} must be a number, got {_json_type(value)}", field=field)
    try:
        return float(value)
    except OverflowError:
        raise InvalidParameter(f"{field} is too large for a float", field=field) from None


def validate_metric(metric: Any, field: str) -> Metric:
    """Check one metric point; ``timestamp=None`` is allowed here and filled in by the caller."""
    if not isinstance(metric, Metric):
        raise InvalidParameter(f"{field} must be a metric", field=field)
    validate_key(metric.key, f"{field}.key")
    value = validate_metric_value(metric.value, f"{field}.value")
    validate_int(metric.step, f"{field}.step")
    if metric.timestamp is not None:
        validate_timestamp(metric.timestamp, f"{field}.timestamp")
    return metric if value is metric.value else replace(metric, value=value)


def validate_string_map(
    values: Any,
    field: str,
    *,
    max_items: int,
    validate_value: Callable[[Any, str], str],
) -> dict[str, str]:
    """A ``{key: value}`` mapping of strings, such as a batch's params or tags."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise InvalidParameter(
            f"{field} must be an object of string keys to string values, got {_json_type(values)}",
            field=field,
        )
    if len(values) > max_items:
        raise InvalidParameter(
            f"{field} has {len(values)} entries; at most {max_items} are allowed per request",
            field=field,
        )
    checked: dict[str, str] = {}
    for key, value in values.items():
        validate_key(key, f"{field}.{key}" if isinstance(key, str) else field)
        checked[key] = validate_value(value, f"{field}.{key}")
    return checked


def validate_tags(tags: Any, field: str = "tags") -> dict[str, str]:
    return validate_string_map(
        tags, field, max_items=MAX_TAGS_PER_BATCH, validate_value=validate_tag_value
    )


def validate_params(params: Any, field: str = "params") -> dict[str, str]:
    return validate_string_map(
        params, field, max_items=MAX_PARAMS_PER_BATCH, validate_value=validate_param_value
    )


def validate_metrics(
    metrics: Any, field: str = "metrics", *, default_timestamp: int | None = None
) -> list[Metric]:
    """Check a batch of points (see validate_metric); with ``default_timestamp``, points
    without a timestamp get it.

    Equivalent to validate_metric on each point in order (the same first error), but a
    point of exact types (str key, float value, int step and timestamp: what the client
    and the JSON decoder produce) is checked inline, and each distinct key once, because a
    1,000-point batch usually repeats one key.
    """
    if isinstance(metrics, (str, bytes, Mapping)) or not isinstance(metrics, Sequence):
        raise InvalidParameter(
            f"{field} must be a list of metrics, got {_json_type(metrics)}", field=field
        )
    if len(metrics) > MAX_METRICS_PER_BATCH:
        raise InvalidParameter(
            f"{field} has {len(metrics)} points; at most {MAX_METRICS_PER_BATCH} are allowed "
            "per request",
            field=field,
        )
    fast = _validated_in_bulk(metrics, default_timestamp)
    if fast is not None:
        return fast
    checked: list[Metric] = []
    append = checked.append
    keys_seen: set[str] = set()
    for i, m in enumerate(metrics):
        if type(m) is Metric:
            key, value, step, timestamp = m.key, m.value, m.step, m.timestamp
            if (
                type(key) is str
                and key in keys_seen
                and type(value) is float
                and type(step) is int
                and INT64_MIN <= step <= INT64_MAX
                and (timestamp is None or (type(timestamp) is int and 0 <= timestamp <= INT64_MAX))
            ):
                if timestamp is None and default_timestamp is not None:
                    m = Metric(key, value, default_timestamp, step)
                append(m)
                continue
        m = validate_metric(m, f"{field}[{i}]")
        keys_seen.add(m.key)
        if m.timestamp is None and default_timestamp is not None:
            m = Metric(m.key, m.value, default_timestamp, m.step)
        append(m)
    return checked


_KEY = attrgetter("key")
_VALUE = attrgetter("value")
_STEP = attrgetter("step")
_TIMESTAMP = attrgetter("timestamp")


def _validated_in_bulk(
    metrics: Sequence[Any], default_timestamp: int | None
) -> list[Metric] | None:
    """The batch unchanged (timestamps filled in), when every point has exact types and
    in-range numbers: what the client and the JSON decoder produce. Each check is a loop
    in C (map over an attrgetter) rather than Python per point. None means "check one by
    one", which also finds the first error."""
    # set(map(type, ...)): the type check of every point without a Python-level loop.
    if not metrics or set(map(type, metrics)) != {Metric}:
        return None
    keys = list(map(_KEY, metrics))
    # Before the set: a key decoded from JSON may be an object or array (unhashable).
    if set(map(type, keys)) != {str}:
        return None
    for key in set(keys):
        try:
            validate_key(key, "key")
        except InvalidParameter:
            return None  # the per-point path names the first point at fault
    if set(map(type, map(_VALUE, metrics))) != {float}:
        return None
    steps = list(map(_STEP, metrics))
    if set(map(type, steps)) != {int} or min(steps) < INT64_MIN or max(steps) > INT64_MAX:
        return None
    stamps = list(map(_TIMESTAMP, metrics))
    if None in stamps:
        if default_timestamp is None:
            return None
        stamps = [default_timestamp if t is None else t for t in stamps]
        metrics = [
            m if m.timestamp is not None else Metric(m.key, m.value, default_timestamp, m.step)
            for m in metrics
        ]
    if set(map(type, stamps)) != {int} or min(stamps) < 0 or max(stamps) > INT64_MAX:
        return None
    return list(metrics)


def validate_run_status(status: Any, field: str = "status") -> RunStatus:
    if isinstance(status, RunStatus):
        return status
    try:
        return RunStatus(status)
    except ValueError:
        allowed = ", ".join(s.value for s in RunStatus)
        raise InvalidParameter(f"{field} must be one of {allowed}", field=field) from None


def validate_view(view: Any, field: str = "view") -> ViewType:
    if isinstance(view, ViewType):
        return view
    try:
        return ViewType(view)
    except ValueError:
        allowed = ", ".join(v.value for v in ViewType)
        raise InvalidParameter(f"{field} must be one of {allowed}", field=field) from None


def validate_max_results(value: Any, field: str = "max_results") -> int:
    return validate_int(value, field, minimum=1, maximum=MAX_RESULTS_LIMIT)


def validate_max_points(value: Any, field: str = "max_points") -> int:
    return validate_int(value, field, minimum=2, maximum=MAX_HISTORY_POINTS_LIMIT)


def validate_page_token(token: Any, field: str = "page_token") -> str | None:
    if token is None or token == "":
        return None
    return _require_text(token, field, 2000, allow_control=False)


def validate_filter(text: Any, field: str = "filter") -> str | None:
    if text is None or text == "":
        return None
    return _require_text(text, field, MAX_FILTER_LENGTH, allow_control=True)


def validate_order_by(items: Any, field: str = "order_by") -> list[str] | None:
    if items is None:
        return None
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
        raise InvalidParameter(f"{field} must be a list of strings", field=field)
    if len(items) > MAX_ORDER_BY_ITEMS:
        raise InvalidParameter(f"{field} has more than {MAX_ORDER_BY_ITEMS} items", field=field)
    return [
        _require_text(item, f"{field}[{i}]", 1000, allow_control=False)
        for i, item in enumerate(items)
    ]


# -- run inputs ------------------------------------------------------------------------------
def _required_text(value: Any, field: str, max_length: int, *, allow_control: bool) -> str:
    if value is None or value == "":
        raise InvalidParameter(f"{field} is required", field=field)
    return _require_text(value, field, max_length, allow_control=allow_control)


def _optional_text(value: Any, field: str, max_length: int) -> str | None:
    if value is None or value == "":
        return None
    return _require_text(value, field, max_length, allow_control=True)


def validate_dataset(dataset: Any, field: str = "dataset") -> Dataset:
    """A dataset with its name, digest, source type and source (MLflow requires all four)."""
    if not isinstance(dataset, Dataset):
        raise InvalidParameter(f"{field} must be a dataset", field=field)
    return Dataset(
        name=_required_text(
            dataset.name, f"{field}.name", MAX_DATASET_NAME_LENGTH, allow_control=False
        ),
        digest=_required_text(
            dataset.digest, f"{field}.digest", MAX_DATASET_DIGEST_LENGTH, allow_control=False
        ),
        source_type=_required_text(
            dataset.source_type,
            f"{field}.source_type",
            MAX_DATASET_SOURCE_TYPE_LENGTH,
            allow_control=False,
        ),
        # The source is often JSON ({"uri": ...}), but any text will do; it may be empty.
        source=_require_text(
            "" if dataset.source is None else dataset.source,
            f"{field}.source",
            MAX_DATASET_SOURCE_LENGTH,
            allow_control=True,
        ),
        schema=_optional_text(dataset.schema, f"{field}.schema", MAX_DATASET_SCHEMA_LENGTH),
        profile=_optional_text(dataset.profile, f"{field}.profile", MAX_DATASET_PROFILE_LENGTH),
    )


def validate_input_tags(tags: Any, field: str) -> dict[str, str]:
    """A dataset input's tags: keys up to 255 characters, values up to 500."""
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        raise InvalidParameter(
            f"{field} must be an object of string keys to string values", field=field
        )
    if len(tags) > MAX_INPUT_TAGS:
        raise InvalidParameter(
            f"{field} has {len(tags)} tags; at most {MAX_INPUT_TAGS} are allowed", field=field
        )
    checked: dict[str, str] = {}
    for key, value in tags.items():
        where = f"{field}.{key}" if isinstance(key, str) else field
        _required_text(key, where, MAX_INPUT_TAG_KEY_LENGTH, allow_control=False)
        checked[key] = _require_text(value, where, MAX_INPUT_TAG_VALUE_LENGTH, allow_control=False)
    return checked


def validate_dataset_inputs(inputs: Any, field: str = "datasets") -> list[DatasetInput]:
    """Dataset inputs of one request, fields named as in MLflow's request
    (``datasets[0].dataset.digest``, ``datasets[0].tags.mlflow.data.context``). An input
    repeating an earlier one's (name, digest) is dropped: the first one counts, as in MLflow."""
    if isinstance(inputs, (str, bytes, Mapping)) or not isinstance(inputs, Sequence):
        raise InvalidParameter(
            f"{field} must be a list of dataset inputs, got {_json_type(inputs)}", field=field
        )
    if len(inputs) > MAX_DATASETS_PER_REQUEST:
        raise InvalidParameter(
            f"{field} has {len(inputs)} datasets; at most {MAX_DATASETS_PER_REQUEST} are "
            "allowed per request",
            field=field,
        )
    checked: dict[tuple[str, str], DatasetInput] = {}
    for i, item in enumerate(inputs):
        where = f"{field}[{i}]"
        if not isinstance(item, DatasetInput):
            raise InvalidParameter(f"{where} must be a dataset input", field=where)
        dataset = validate_dataset(item.dataset, f"{where}.dataset")
        tags = validate_input_tags(item.tags, f"{where}.tags")
        checked.setdefault((dataset.name, dataset.digest), DatasetInput(dataset, tags))
    return list(checked.values())


def validate_logged_model_ids(model_ids: Any, field: str = "models") -> list[str]:
    """Logged model ids (``m-`` and 32 hex digits), named ``models[i].model_id``; repeats
    are dropped."""
    if isinstance(model_ids, (str, bytes, Mapping)) or not isinstance(model_ids, Sequence):
        raise InvalidParameter(
            f"{field} must be a list of logged model ids, got {_json_type(model_ids)}",
            field=field,
        )
    if len(model_ids) > MAX_MODEL_INPUTS_PER_REQUEST:
        raise InvalidParameter(
            f"{field} has {len(model_ids)} models; at most {MAX_MODEL_INPUTS_PER_REQUEST} are "
            "allowed per request",
            field=field,
        )
    checked: dict[str, None] = {}
    for i, model_id in enumerate(model_ids):
        where = f"{field}[{i}].model_id"
        if not isinstance(model_id, str) or not _LOGGED_MODEL_ID.fullmatch(model_id):
            raise InvalidParameter(
                f"{where} must be 'm-' and 32 lowercase hexadecimal characters, got {model_id!r}",
                field=where,
            )
        checked[model_id] = None
    return list(checked)
