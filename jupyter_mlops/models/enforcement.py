"""Signature enforcement: check (and safely convert) what ``predict`` receives.

Every mismatch is collected, then raised at once as ``SchemaMismatch`` (an
``InvalidParameter``: HTTP 400 from the servers) naming each column or tensor, what the
signature expects and what came, so a caller fixes a payload in one round.

Conversions are the lossless ones: narrower to wider numbers of the same kind, integers
to floats (and integral floats to integers) when every value is exactly representable, ISO
strings to datetimes, JSON lists to DataFrames or arrays by the signature's shape. Columns
the signature does not name are dropped, as MLflow does; unknown ``params`` are refused.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidParameter
from .schema import (
    NUMPY_DTYPES,
    AnyType,
    ArrayType,
    ColSpec,
    ColumnType,
    MapType,
    ObjectType,
    ParamSchema,
    ParamSpec,
    Schema,
    TensorSpec,
    type_name,
)

_INT_EXACT = {"float32": 2**24, "float64": 2**53}


class SchemaMismatch(InvalidParameter):
    """The input (or params) does not match the model's signature; ``problems`` lists why."""

    def __init__(self, problems: list[str], expected: str, field: str = "input") -> None:
        self.problems = problems
        self.expected = expected
        message = (
            "Input does not match the model signature: "
            + "; ".join(problems)
            + f". The model expects {expected}."
        )
        super().__init__(message, field=field)


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as err:  # pragma: no cover - pandas comes with every tabular model
        raise ImportError("column signatures need pandas: pip install pandas") from err
    return pd


def _describe_values(series: Any) -> str:
    sample = [v for v in series.tolist()[:3]]
    return f"{series.dtype} values like {sample!r}"


# -- columns ---------------------------------------------------------------------------------
def _cast_column(name: str, series: Any, dtype: str, problems: list[str]) -> Any:
    """``series`` as ``dtype`` (a scalar type), or the series unchanged with a problem noted."""
    import numpy as np

    pd = _pandas()
    label = f"column {name!r}"
    if series.dtype == object and dtype not in ("string", "binary"):
        series = series.infer_objects()
    numpy_dtype = getattr(series.dtype, "numpy_dtype", None)  # nullable Int64, Float64, boolean
    if numpy_dtype is not None and not series.isna().any():
        series = series.astype(numpy_dtype)
    kind = series.dtype.kind if hasattr(series.dtype, "kind") else "O"
    non_null = series.dropna()
    if dtype == "string":
        if isinstance(series.dtype, pd.StringDtype) or (
            kind in "OU" and all(isinstance(v, str) for v in non_null)
        ):
            return series
    elif dtype == "binary":
        if kind in "OS" and all(isinstance(v, (bytes, bytearray)) for v in non_null):
            return series
    elif dtype == "boolean":
        if kind == "b" or (kind == "O" and all(isinstance(v, (bool, np.bool_)) for v in non_null)):
            return series
    elif dtype == "datetime":
        if kind == "M":
            return series.astype("datetime64[ns]")
        if kind == "O" and all(isinstance(v, (str, dt.date)) for v in non_null):
            try:
                return pd.to_datetime(series, errors="raise")
            except (ValueError, TypeError):
                pass
    else:
        target = np.dtype(NUMPY_DTYPES[dtype])
        if kind in "iufb" and series.dtype == target:
            return series
        if (
            kind in "iu"
            and target.kind == "i"
            and (np.can_cast(series.dtype, target, "safe") or _fits(non_null, target))
        ):
            return series.astype(target)
        if kind == "f" and target.kind == "f" and series.dtype.itemsize <= target.itemsize:
            return series.astype(target)
        if kind in "iu" and target.kind == "f":
            limit = _INT_EXACT[target.name]
            if non_null.empty or int(non_null.abs().max()) <= limit:
                return series.astype(target)
        # 3.0 is exactly 3 (rows of mixed numbers arrive as floats); 3.5 is refused
        if (
            kind == "f"
            and target.kind == "i"
            and not series.isna().any()
            and bool((series == series.round()).all())
            and _fits(series, target)
        ):
            return series.astype(target)
        if kind == "b" and target.kind in "if":  # 0/1 features trained as numbers
            return series.astype(target)
    problems.append(f"{label}: expected {dtype}, got {_describe_values(series)}")
    return series


def _fits(values: Any, target: Any) -> bool:
    import numpy as np

    if values.empty:
        return True
    info = np.iinfo(target)
    return bool(info.min <= int(values.min()) and int(values.max()) <= info.max)


def _check_value(value: Any, dtype: ColumnType, where: str, problems: list[str]) -> None:
    """Nested types (array, object, map) are checked value by value."""
    import numpy as np

    if value is None or isinstance(dtype, AnyType):
        return
    if isinstance(dtype, ArrayType):
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if not isinstance(value, (list, tuple)):
            problems.append(f"{where}: expected {dtype}, got {type(value).__name__}")
            return
        for index, item in enumerate(value):
            _check_value(item, dtype.items, f"{where}[{index}]", problems)
        return
    if isinstance(dtype, (ObjectType, MapType)):
        if not isinstance(value, Mapping):
            problems.append(f"{where}: expected {dtype}, got {type(value).__name__}")
            return
        if isinstance(dtype, MapType):
            for key, item in value.items():
                _check_value(item, dtype.values, f"{where}[{key!r}]", problems)
            return
        for prop in dtype.properties:
            if prop.name not in value:
                if prop.required:
                    problems.append(f"{where}: missing required property {prop.name!r}")
                continue
            _check_value(value[prop.name], prop.dtype, f"{where}.{prop.name}", problems)
        return
    if not _scalar_matches(value, dtype):
        problems.append(f"{where}: expected {dtype}, got {type(value).__name__} {value!r}")


def _scalar_matches(value: Any, dtype: str) -> bool:
    import numpy as np

    if dtype == "boolean":
        return isinstance(value, (bool, np.bool_))
    if dtype in ("integer", "long"):
        return isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if dtype in ("float", "double"):
        return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
            value, bool
        )
    if dtype == "string":
        return isinstance(value, str)
    if dtype == "binary":
        return isinstance(value, (bytes, bytearray))
    return isinstance(value, (str, dt.date, np.datetime64))


def _to_frame(data: Any, schema: Schema, problems: list[str]) -> Any:
    """Tabular input as a DataFrame (column names from the schema for positional data)."""
    import numpy as np

    pd = _pandas()
    names = schema.names() if schema.has_names else None
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return (
            data.to_frame() if data.name is not None or names is None else data.to_frame(names[0])
        )
    if isinstance(data, Mapping):
        # One row when every value is one cell (a scalar, or a list/dict for a nested
        # column); otherwise each value is a whole column.
        nested = {
            s.name for s in schema.inputs if isinstance(s, ColSpec) and not isinstance(s.type, str)
        }
        if data and all(np.isscalar(v) or v is None or k in nested for k, v in data.items()):
            return pd.DataFrame([dict(data)])
        try:
            return pd.DataFrame({k: _column_values(v) for k, v in data.items()})
        except ValueError as err:
            problems.append(f"the columns of the input have different lengths ({err})")
            return None
    if isinstance(data, (list, tuple)) and data and all(isinstance(r, Mapping) for r in data):
        return pd.DataFrame(list(data))
    if isinstance(data, (list, tuple, np.ndarray)):
        array = np.asarray(data, dtype=object) if not isinstance(data, np.ndarray) else data
        if array.ndim == 1:
            array = array.reshape(-1, 1) if len(schema.inputs) == 1 else array.reshape(1, -1)
        if array.ndim != 2:
            problems.append(
                f"expected rows of {len(schema.inputs)} columns, got a {array.ndim}-d array"
            )
            return None
        if array.shape[1] != len(schema.inputs):
            problems.append(f"expected {len(schema.inputs)} columns per row, got {array.shape[1]}")
            return None
        frame = pd.DataFrame(array, columns=names)
        return frame.infer_objects()
    if np.isscalar(data) and len(schema.inputs) == 1:
        return pd.DataFrame({names[0] if names else 0: [data]})
    problems.append(f"cannot read a table from {type(data).__name__}")
    return None


def _column_values(value: Any) -> Any:
    import numpy as np

    return value.tolist() if isinstance(value, np.ndarray) and value.ndim > 1 else value


def _enforce_columns(data: Any, schema: Schema) -> Any:
    pd = _pandas()
    problems: list[str] = []
    frame = _to_frame(data, schema, problems)
    if frame is None:
        raise SchemaMismatch(problems, schema.describe())
    columns: dict[Any, Any] = {}
    specs = [spec for spec in schema.inputs if isinstance(spec, ColSpec)]
    if schema.has_names:
        for spec in specs:
            assert spec.name is not None
            if spec.name not in frame.columns:
                if spec.required:
                    problems.append(f"column {spec.name!r} ({type_name(spec.type)}) is missing")
                continue
            columns[spec.name] = _enforce_column(spec.name, frame[spec.name], spec, problems)
    else:
        if frame.shape[1] < len(specs):
            problems.append(f"expected {len(specs)} columns, got {frame.shape[1]}")
        for spec, column in zip(specs, frame.columns, strict=False):
            columns[column] = _enforce_column(str(column), frame[column], spec, problems)
    if problems:
        raise SchemaMismatch(problems, schema.describe())
    return pd.DataFrame(columns, index=frame.index)


def _enforce_column(name: str, series: Any, spec: ColSpec, problems: list[str]) -> Any:
    if spec.required and series.isna().any() and isinstance(spec.type, str):
        problems.append(f"column {name!r} is required but has missing values")
        return series
    if isinstance(spec.type, str):
        return _cast_column(name, series, spec.type, problems)
    for index, value in zip(series.index, series.tolist(), strict=True):
        _check_value(value, spec.type, f"column {name!r} row {index}", problems)
    return series


# -- tensors ---------------------------------------------------------------------------------
def _enforce_tensor(value: Any, spec: TensorSpec, problems: list[str]) -> Any:
    import numpy as np

    label = f"tensor {spec.name!r}" if spec.name is not None else "the input tensor"
    pd = sys.modules.get("pandas")  # not imported: the value cannot be a DataFrame
    if pd is not None and isinstance(value, (pd.DataFrame, pd.Series)):
        value = value.to_numpy()
    try:
        array = value if isinstance(value, np.ndarray) else np.asarray(value)
    except ValueError as err:  # ragged lists
        problems.append(f"{label}: not a rectangular array ({err})")
        return value
    target = np.dtype(spec.dtype)
    if array.dtype != target:
        if array.dtype.kind == "O" or not np.can_cast(array.dtype, target, "same_kind"):
            problems.append(f"{label}: expected dtype {spec.dtype}, got {array.dtype}")
            return array
        if np.can_cast(array.dtype, target, "safe") or _lossless(array, target):
            array = array.astype(target)
        else:
            problems.append(f"{label}: expected dtype {spec.dtype}, got {array.dtype}")
            return array
    if array.ndim != len(spec.shape) or any(
        want not in (-1, got) for want, got in zip(spec.shape, array.shape, strict=False)
    ):
        problems.append(f"{label}: expected shape {list(spec.shape)}, got {list(array.shape)}")
    return array


def _lossless(array: Any, target: Any) -> bool:
    import numpy as np

    with np.errstate(all="ignore"):
        converted = array.astype(target)
        return bool(np.array_equal(converted.astype(array.dtype), array, equal_nan=True))


def _enforce_tensors(data: Any, schema: Schema) -> Any:
    problems: list[str] = []
    specs = [spec for spec in schema.inputs if isinstance(spec, TensorSpec)]
    if not schema.has_names:
        result = _enforce_tensor(data, specs[0], problems)
    else:
        pd = sys.modules.get("pandas")
        if pd is not None and isinstance(data, pd.DataFrame):
            data = {str(c): data[c].to_numpy() for c in data.columns}
        if not isinstance(data, Mapping):
            if len(specs) == 1:
                data = {specs[0].name: data}
            else:
                raise SchemaMismatch(
                    [f"expected a dict of {len(specs)} named tensors, got {type(data).__name__}"],
                    schema.describe(),
                )
        result = {}
        for spec in specs:
            assert spec.name is not None
            if spec.name not in data:
                problems.append(f"tensor {spec.name!r} is missing")
                continue
            result[spec.name] = _enforce_tensor(data[spec.name], spec, problems)
    if problems:
        raise SchemaMismatch(problems, schema.describe())
    return result


def enforce_schema(data: Any, schema: Schema) -> Any:
    """``data`` checked against ``schema`` and converted to what the model gets: a DataFrame
    for column schemas, an array (or a dict of arrays) for tensor schemas."""
    if schema.is_tensor:
        return _enforce_tensors(data, schema)
    return _enforce_columns(data, schema)


# -- params ----------------------------------------------------------------------------------
def enforce_params(params: Mapping[str, Any] | None, schema: ParamSchema | None) -> dict[str, Any]:
    """Params with defaults filled in; unknown names and wrong types are refused."""
    params = dict(params or {})
    if schema is None:
        if params:
            raise SchemaMismatch(
                [f"unknown params {sorted(params)}"], "no params (its signature has none)", "params"
            )
        return {}
    specs = {spec.name: spec for spec in schema.params}
    problems = [f"unknown param {name!r}" for name in params if name not in specs]
    result: dict[str, Any] = {}
    for name, spec in specs.items():
        value = params.get(name, spec.default)
        result[name] = _param_value(value, spec, problems)
    if problems:
        expected = ", ".join(f"{s.name}: {s.type}" for s in schema.params)
        raise SchemaMismatch(problems, f"params ({expected})", "params")
    return result


def _param_value(value: Any, spec: ParamSpec, problems: list[str]) -> Any:
    if value is None:
        return None
    if spec.shape is not None:
        if not isinstance(value, (list, tuple)):
            problems.append(f"param {spec.name!r}: expected a list of {spec.type}")
            return value
        return [_param_scalar(v, spec, problems) for v in value]
    return _param_scalar(value, spec, problems)


def _param_scalar(value: Any, spec: ParamSpec, problems: list[str]) -> Any:
    if spec.type == "datetime" and isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            pass
    if _scalar_matches(value, spec.type):
        if spec.type in ("float", "double"):
            return float(value)
        return value
    problems.append(
        f"param {spec.name!r}: expected {spec.type}, got {type(value).__name__} {value!r}"
    )
    return value
