"""Signature inference from an example: a pandas DataFrame or Series, a numpy array, a dict
(of arrays, or of JSON values), a list (of records or of values), or one value.

The rules follow MLflow's, so that both infer the same signature from the same example:
DataFrame columns become named column specs (optional when the example has a missing
value); arrays become tensor specs with a variable first dimension; dicts of arrays become
named tensors; records and JSON values become columns with nested array/object types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidParameter
from .schema import (
    AnyType,
    ArrayType,
    ColSpec,
    ColumnType,
    ObjectType,
    ParamSchema,
    ParamSpec,
    Property,
    Schema,
    Signature,
    TensorSpec,
)

_NUMPY_KIND_TO_TYPE = {"b": "boolean", "M": "datetime", "S": "binary", "U": "string"}


#: pandas extension dtypes (nullable numbers, text) by name.
_EXTENSION_TYPES = {
    "string": "string",
    "str": "string",
    "boolean": "boolean",
    "Int8": "integer",
    "Int16": "integer",
    "Int32": "integer",
    "Int64": "long",
    "UInt8": "integer",
    "UInt16": "integer",
    "UInt32": "long",
    "UInt64": "long",
    "Float32": "float",
    "Float64": "double",
}


def _numpy_scalar_type(dtype: Any) -> str | None:
    """Our scalar type for a column dtype, or None for object columns (look at the values)."""
    import numpy as np

    if not isinstance(dtype, np.dtype):
        name = str(getattr(dtype, "name", dtype))
        if name.startswith("datetime64"):
            return "datetime"
        return _EXTENSION_TYPES.get(name.split("[")[0])
    kind, size = dtype.kind, dtype.itemsize
    if kind in _NUMPY_KIND_TO_TYPE:
        return _NUMPY_KIND_TO_TYPE[kind]
    if kind == "i":
        return "long" if size > 4 else "integer"
    if kind == "u":
        return "long" if size >= 4 else "integer"
    if kind == "f":
        return "double" if size > 4 else "float"
    return None


def _value_type(value: Any, where: str) -> ColumnType:
    """The type of one JSON-like value (a cell, a dict member, a list item)."""
    import numpy as np

    if isinstance(value, (bool, np.bool_)):
        return "boolean"
    if isinstance(value, (int, np.integer)):
        return "integer" if isinstance(value, np.int32) else "long"
    if isinstance(value, (float, np.floating)):
        return "float" if isinstance(value, np.float32) else "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (bytes, bytearray)):
        return "binary"
    if isinstance(value, (dt.date, np.datetime64)):
        return "datetime"
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        items = [v for v in value if v is not None]
        if not items:
            return ArrayType(AnyType())
        return ArrayType(_merge_types([_value_type(v, where) for v in items], where))
    if isinstance(value, Mapping):
        if not value:
            raise InvalidParameter(
                f"{where}: cannot infer a type from an empty dict", field="input_example"
            )
        return ObjectType(
            tuple(
                Property(str(k), _value_type(v, f"{where}.{k}") if v is not None else AnyType())
                for k, v in value.items()
            )
        )
    if value is None:
        return AnyType()
    raise InvalidParameter(
        f"{where}: cannot infer a signature type from {type(value).__name__}", field="input_example"
    )


_NUMERIC_RANK = {"integer": 0, "long": 1, "float": 2, "double": 3}


def _widen(a: str, b: str) -> str | None:
    """The numeric type holding both (an int and a float meet in double), else None."""
    if a not in _NUMERIC_RANK or b not in _NUMERIC_RANK:
        return None
    if (_NUMERIC_RANK[a] < 2) != (_NUMERIC_RANK[b] < 2):
        return "double"
    return a if _NUMERIC_RANK[a] >= _NUMERIC_RANK[b] else b


def _merge_types(types: list[ColumnType], where: str) -> ColumnType:
    result = types[0]
    for other in types[1:]:
        if other == result or isinstance(other, AnyType):
            continue
        if isinstance(result, AnyType):
            result = other
            continue
        widened = (
            _widen(result, other) if isinstance(result, str) and isinstance(other, str) else None
        )
        if widened is None:
            raise InvalidParameter(
                f"{where}: values of mixed types ({result} and {other}) have no common type",
                field="input_example",
            )
        result = widened
    return result


def _frame_schema(frame: Any) -> Schema:
    specs = []
    for column in frame.columns:
        series = frame[column]
        scalar = _numpy_scalar_type(series.dtype)
        values = [v for v in series.tolist() if v is not None and v == v]  # drop None and NaN
        scalar_or_nested: ColumnType
        if scalar is None:
            if not values:
                raise InvalidParameter(
                    f"column {column!r} has only missing values: its type cannot be inferred",
                    field="input_example",
                )
            else:
                scalar_or_nested = _merge_types(
                    [_value_type(v, f"column {column!r}") for v in values], f"column {column!r}"
                )
        else:
            scalar_or_nested = scalar
        required = not bool(series.isna().any())
        specs.append(ColSpec(scalar_or_nested, str(column), required))
    return Schema(tuple(specs))


def _tensor(array: Any, name: str | None = None) -> TensorSpec:
    if array.dtype.kind == "O":
        raise InvalidParameter(
            "numpy arrays of Python objects have no tensor type; pass a DataFrame or a list",
            field="input_example",
        )
    dtype = (
        array.dtype.name if array.dtype.kind not in "US" else array.dtype.name.rstrip("0123456789")
    )
    shape = (-1, *array.shape[1:]) if array.ndim else ()
    return TensorSpec(dtype, tuple(int(d) for d in shape), name)


def infer_schema(example: Any) -> Schema:
    """The schema of one example input (or output)."""
    import numpy as np

    try:
        import pandas as pd
    except ImportError:  # pandas is optional; without it no example is a DataFrame
        pd = None
    if pd is not None and isinstance(example, pd.DataFrame):
        return _frame_schema(example)
    if pd is not None and isinstance(example, pd.Series):
        frame = example.to_frame()
        schema = _frame_schema(frame)
        if example.name is None:  # an unnamed series is one unnamed column
            spec = schema.inputs[0]
            assert isinstance(spec, ColSpec)
            return Schema((ColSpec(spec.type, None, spec.required),))
        return schema
    if isinstance(example, np.ndarray):
        return Schema((_tensor(example),))
    if isinstance(example, Mapping):
        if not example:
            raise InvalidParameter("input_example is an empty dict", field="input_example")
        if all(isinstance(v, np.ndarray) for v in example.values()):
            return Schema(tuple(_tensor(v, str(k)) for k, v in example.items()))
        return Schema(
            tuple(
                ColSpec(_value_type(v, f"input_example[{k!r}]"), str(k)) for k, v in example.items()
            )
        )
    if isinstance(example, (list, tuple)):
        if not example:
            raise InvalidParameter("input_example is an empty list", field="input_example")
        if all(isinstance(v, Mapping) for v in example):
            return _records_schema(list(example))
        if all(isinstance(v, (list, tuple)) for v in example):
            return Schema((_tensor(np.asarray(example)),))
        return Schema(
            (
                ColSpec(
                    _merge_types(
                        [_value_type(v, "input_example") for v in example], "input_example"
                    )
                ),
            )
        )
    return Schema((ColSpec(_value_type(example, "input_example")),))


def _records_schema(records: list[Mapping[str, Any]]) -> Schema:
    names: list[str] = []
    for record in records:
        names.extend(str(k) for k in record if str(k) not in names)
    specs = []
    for name in names:
        present = [r[name] for r in records if name in r and r[name] is not None]
        if not present:
            raise InvalidParameter(f"field {name!r} is always missing", field="input_example")
        dtype = _merge_types(
            [_value_type(v, f"field {name!r}") for v in present], f"field {name!r}"
        )
        specs.append(ColSpec(dtype, name, required=len(present) == len(records)))
    return Schema(tuple(specs))


def infer_params(params: Mapping[str, Any]) -> ParamSchema:
    """A param schema from example values: each value is also the default."""
    specs = []
    for name, value in params.items():
        if isinstance(value, (list, tuple)):
            if not value:
                raise InvalidParameter(f"param {name!r} is an empty list", field="params")
            dtype = _merge_types([_value_type(v, f"param {name!r}") for v in value], name)
            specs.append(ParamSpec(str(name), str(dtype), list(value), (-1,)))
            continue
        dtype = _value_type(value, f"param {name!r}")
        if not isinstance(dtype, str):
            raise InvalidParameter(f"param {name!r} must be a scalar or a list", field="params")
        default = value.isoformat() if isinstance(value, dt.date) else value
        specs.append(ParamSpec(str(name), dtype, default, None))
    return ParamSchema(tuple(specs))


def infer_signature(
    model_input: Any, model_output: Any = None, params: Mapping[str, Any] | None = None
) -> Signature:
    """A signature from an example input, and optionally the model's output and params."""
    return Signature(
        inputs=infer_schema(model_input),
        outputs=None if model_output is None else infer_schema(model_output),
        params=infer_params(params) if params else None,
    )
