"""MLflow's search strings onto ours.

Runs: our filter language is a superset of MLflow's, so a filter is parsed by our parser,
the identifiers MLflow keeps in tags that we keep in fields are re-pointed
(``tags.mlflow.runName`` -> ``attributes.run_name``, ``tags.mlflow.user`` -> ``user``,
``tags.mlflow.parentRunId`` -> ``parent_run_id``), and the tree is written back as text.
``datasets.*`` and ``attributes.artifact_uri`` have no counterpart: a clear 400.

Experiments: MLflow filters experiments by ``name``, ``creation_time``,
``last_update_time`` and ``tags.<key>`` with ``AND`` only; experiments are few, so the
filter and order are applied here, over the store's listing.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from ...errors import InvalidParameter
from ...tracking.entities import Experiment
from ...tracking.search.ast import And, Comparison, Expr, Identifier, OrderKey
from ...tracking.search.parser import parse_filter, parse_order_by
from .wire import NOTE_TAG, PARENT_RUN_TAG, RUN_NAME_TAG, USER_TAG

_FIELD_TAGS = {
    RUN_NAME_TAG: Identifier("attribute", "run_name"),
    USER_TAG: Identifier("attribute", "user"),
    PARENT_RUN_TAG: Identifier("attribute", "parent_run_id"),
}
_UNSUPPORTED = re.compile(
    r"""(?ix) (?:^|[\s(,]) (?P<name> datasets?\.\w+ | (?:attributes?\.|attr\.|run\.)?artifact_uri\b
    | (?:attributes?\.|attr\.)?(?:dataset|model_id)\b )"""
)
_QUOTED = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"|`[^`]*`")


def _check_supported(text: str, field: str) -> None:
    unquoted = _QUOTED.sub("''", text)
    match = _UNSUPPORTED.search(unquoted)
    if match:
        raise InvalidParameter(
            f"Invalid {field}: '{match.group('name')}' is not supported by this server "
            "(dataset, model and artifact_uri searches have no counterpart here)",
            field=field,
        )


def _ident(identifier: Identifier) -> Identifier:
    if identifier.kind == "tag" and identifier.key in _FIELD_TAGS:
        return _FIELD_TAGS[identifier.key]
    return identifier


def _ident_text(identifier: Identifier) -> str:
    prefix = {"metric": "metrics", "param": "params", "tag": "tags", "attribute": "attributes"}
    quoted = identifier.key.replace("\\", "\\\\").replace('"', '\\"')
    text = f'{prefix[identifier.kind]}."{quoted}"'
    if identifier.kind == "attribute":
        text = f"attributes.{identifier.key}"
    if identifier.kind == "metric" and identifier.aggregate != "last":
        text = f"{identifier.aggregate}({text})"
    return text


def _value_text(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_value_text(v) for v in value) + ")"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return repr(value)


def _expr_text(expr: Expr) -> str:
    if isinstance(expr, Comparison):
        return f"{_ident_text(_ident(expr.identifier))} {expr.op} {_value_text(expr.value)}"
    joiner = " AND " if isinstance(expr, And) else " OR "
    return "(" + joiner.join(_expr_text(item) for item in expr.items) + ")"


@functools.lru_cache(maxsize=256)
def translate_run_filter(text: str | None) -> str | None:
    """An MLflow run filter as one of ours (None when blank). Cached: a client paging
    through results sends the same filter again with every page."""
    if text is None or not text.strip():
        return None
    _check_supported(text, "filter")
    expr = parse_filter(text)
    return None if expr is None else _expr_text(expr)


def translate_run_order_by(items: Sequence[str]) -> list[str] | None:
    """MLflow order_by items as ours (None when there are none)."""
    if not items:
        return None
    translated = _translate_order_by(tuple(items))
    return None if translated is None else list(translated)


@functools.lru_cache(maxsize=256)
def _translate_order_by(items: tuple[str, ...]) -> tuple[str, ...] | None:
    for index, item in enumerate(items):
        _check_supported(item, f"order_by[{index}]")
    keys: list[OrderKey] = parse_order_by(list(items))
    return tuple(
        f"{_ident_text(_ident(k.identifier))} {'ASC' if k.ascending else 'DESC'}" for k in keys
    )


# -- experiments ----------------------------------------------------------------------------
_EXPERIMENT_TERM = re.compile(
    r"""\s*(?P<ident>(?:(?:attributes?|attr)\.)?(?:name|creation_time|last_update_time|experiment_id)
        |tags?\.(?:`[^`]+`|"(?:[^"\\]|\\.)*"|[\w.\-/:]+))
        \s*(?P<op>!=|<=|>=|=|<|>|\bnot\s+ilike\b|\bnot\s+like\b|\bilike\b|\blike\b)
        \s*(?P<value>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|-?\d+(?:\.\d+)?)\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_AND = re.compile(r"\s*and\b", re.IGNORECASE)
_EXPERIMENT_ORDER = re.compile(
    r"\s*(?:(?:attributes?|attr)\.)?(?P<key>name|creation_time|last_update_time|experiment_id)"
    r"(?:\s+(?P<dir>asc|desc))?\s*$",
    re.IGNORECASE,
)

ExperimentTest = Callable[[Experiment], bool]


def _like(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL if case_sensitive else re.DOTALL | re.IGNORECASE)


def _experiment_value(experiment: Experiment, ident: str) -> Any:
    lowered = ident.lower()
    if lowered.startswith(("tags.", "tag.")):
        key = ident.partition(".")[2]
        if key[:1] in '`"':
            key = key[1:-1]
        if key == NOTE_TAG and key not in experiment.tags:
            return experiment.description or None
        return experiment.tags.get(key)
    name = lowered.rpartition(".")[2]
    return {
        "name": experiment.name,
        "creation_time": experiment.creation_time,
        "last_update_time": experiment.last_update_time,
        "experiment_id": experiment.experiment_id,
    }[name]


def _term(match: re.Match[str]) -> ExperimentTest:
    ident, op, raw = (
        match.group("ident"),
        " ".join(match.group("op").upper().split()),
        match.group("value"),
    )
    numeric_ident = ident.lower().rpartition(".")[2] in ("creation_time", "last_update_time")
    if raw[0] in "'\"":
        value: Any = raw[1:-1].replace(raw[0] * 2, raw[0])
        value = re.sub(r"\\(.)", r"\1", value)
        if numeric_ident:
            raise InvalidParameter(
                f"Invalid filter: {ident} needs a number, got {raw}", field="filter"
            )
    else:
        if not numeric_ident:
            raise InvalidParameter(
                f"Invalid filter: {ident} needs a quoted string, got {raw}", field="filter"
            )
        value = float(raw)
    if "LIKE" in op:
        if numeric_ident:
            raise InvalidParameter(f"Invalid filter: {ident} does not support {op}", field="filter")
        regex = _like(value, case_sensitive="ILIKE" not in op)
        negate = op.startswith("NOT")

        def like_test(e: Experiment) -> bool:
            actual = _experiment_value(e, ident)
            return actual is not None and (regex.fullmatch(actual) is None) == negate

        return like_test
    if not numeric_ident and op not in ("=", "!="):
        raise InvalidParameter(f"Invalid filter: {ident} does not support '{op}'", field="filter")
    compare: Callable[[Any, Any], bool] = {
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }[op]

    def test(e: Experiment) -> bool:
        actual = _experiment_value(e, ident)
        return actual is not None and compare(actual, value)

    return test


def experiment_filter(text: str | None) -> ExperimentTest:
    """A predicate for MLflow's experiment filter (``name LIKE 'x%' AND tags.k = 'v'``)."""
    if text is None or not text.strip():
        return lambda e: True
    tests: list[ExperimentTest] = []
    pos = 0
    while True:
        match = _EXPERIMENT_TERM.match(text, pos)
        if match is None:
            raise InvalidParameter(
                f"Invalid filter at column {pos + 1}: expected a comparison such as "
                "name LIKE 'x%', creation_time > 0 or tags.key = 'value' (joined by AND)",
                field="filter",
            )
        tests.append(_term(match))
        pos = match.end()
        if pos >= len(text):
            break
        joined = _AND.match(text, pos)
        if joined is None:
            raise InvalidParameter(
                f"Invalid filter at column {pos + 1}: expected AND or the end", field="filter"
            )
        pos = joined.end()
    return lambda e: all(t(e) for t in tests)


def sort_experiments(experiments: list[Experiment], order_by: Sequence[str]) -> list[Experiment]:
    """MLflow's experiment order: the given keys, then ``experiment_id`` DESC
    (default: ``creation_time DESC``, then ``experiment_id`` ASC)."""
    keys: list[tuple[str, bool]] = []
    for index, item in enumerate(order_by):
        match = _EXPERIMENT_ORDER.match(item)
        if match is None:
            raise InvalidParameter(
                f"Invalid order_by[{index}]: {item!r} (use name, experiment_id, creation_time "
                "or last_update_time, with ASC or DESC)",
                field=f"order_by[{index}]",
            )
        keys.append((match.group("key").lower(), (match.group("dir") or "asc").lower() == "asc"))
    if not keys:
        keys = [("creation_time", False), ("experiment_id", True)]
    result = sorted(experiments, key=lambda e: int(e.experiment_id), reverse=True)
    for key, ascending in reversed(keys):
        if key == "experiment_id":
            result.sort(key=lambda e: int(e.experiment_id), reverse=not ascending)
        else:
            result.sort(key=lambda e, k=key: getattr(e, k), reverse=not ascending)  # type: ignore[misc]
    return result


_BAD_TOKEN = "Invalid page token: it is not one this server gave"


def offset_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def parse_offset_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
        offset = data["offset"]
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error, RecursionError):
        raise InvalidParameter(_BAD_TOKEN, field="page_token") from None
    if type(offset) is not int or offset < 0:
        raise InvalidParameter(_BAD_TOKEN, field="page_token")
    return offset
