"""Parameter types of pipeline inputs and outputs, named as Kubeflow Pipelines names them.

``ANY`` is our one addition: an unannotated parameter, accepted wherever a value is.
"""

from __future__ import annotations

import json
import typing
from typing import Any

from ...errors import InvalidParameter

STRING = "STRING"
NUMBER_INTEGER = "NUMBER_INTEGER"
NUMBER_DOUBLE = "NUMBER_DOUBLE"
BOOLEAN = "BOOLEAN"
LIST = "LIST"
STRUCT = "STRUCT"
ANY = "ANY"

PARAMETER_TYPES = (STRING, NUMBER_INTEGER, NUMBER_DOUBLE, BOOLEAN, LIST, STRUCT, ANY)

_BY_PYTHON_TYPE: dict[Any, str] = {
    str: STRING,
    int: NUMBER_INTEGER,
    float: NUMBER_DOUBLE,
    bool: BOOLEAN,
    list: LIST,
    tuple: LIST,
    dict: STRUCT,
}

_BY_NAME: dict[str, Any] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "list": list,
    "dict": dict,
    "tuple": tuple,
    "Any": Any,
    "None": None,
}


def parameter_type_of(annotation: Any, *, where: str) -> str:
    """The parameter type for a Python annotation (``str``, ``list[int]``, ...)."""
    if annotation is None or annotation is Any or annotation is typing.Any:
        return ANY
    if isinstance(annotation, typing.ForwardRef):
        annotation = annotation.__forward_arg__
    if isinstance(annotation, str):  # an unresolved postponed annotation
        annotation = _BY_NAME.get(annotation.partition("[")[0], annotation)
    origin = typing.get_origin(annotation) or annotation
    found = _BY_PYTHON_TYPE.get(origin)
    if found is None:
        raise InvalidParameter(
            f"{where}: unsupported type {annotation!r}; use str, int, float, bool, list or dict "
            "(values pass between steps as JSON)",
            field=where,
        )
    return found


def accepts(consumer: str, producer: str) -> bool:
    """Whether a value of type ``producer`` may feed an input of type ``consumer``."""
    if ANY in (consumer, producer) or consumer == producer:
        return True
    # An integer is a valid double, as in JSON.
    return consumer == NUMBER_DOUBLE and producer == NUMBER_INTEGER


def check_value(value: Any, parameter_type: str, *, field: str) -> Any:
    """``value`` if it has ``parameter_type``; InvalidParameter naming ``field`` otherwise.

    Integral doubles are accepted for integers and integers for doubles, since JSON
    (and every form in the UI) does not tell them apart.
    """
    ok: bool
    if parameter_type == ANY:
        ok = True
    elif parameter_type == STRING:
        ok = isinstance(value, str)
    elif parameter_type == BOOLEAN:
        ok = isinstance(value, bool)
    elif parameter_type == NUMBER_INTEGER:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif parameter_type == NUMBER_DOUBLE:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if ok:
            value = float(value)
    elif parameter_type == LIST:
        if isinstance(value, tuple):
            value = list(value)
        ok = isinstance(value, list)
    elif parameter_type == STRUCT:
        ok = isinstance(value, dict)
    else:
        raise InvalidParameter(f"unknown parameter type {parameter_type!r}", field=field)
    if not ok:
        raise InvalidParameter(
            f"{field} must be {parameter_type}, got {type(value).__name__} {_short(value)}",
            field=field,
        )
    return value


def parse_text(text: str, parameter_type: str, *, field: str) -> Any:
    """A value read from a file or command line: JSON, except that STRING takes text as is."""
    if parameter_type == STRING:
        return text
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        if parameter_type == ANY:
            return text
        raise InvalidParameter(
            f"{field} must be {parameter_type} (JSON), got {_short(text)}", field=field
        ) from None
    return check_value(value, parameter_type, field=field)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
