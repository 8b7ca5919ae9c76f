"""MLflow's scoring protocol, pure: a request body in, model input and params out.

JSON bodies are an object with exactly one of ``dataframe_split`` (``{"columns", "data",
"index"?}``), ``dataframe_records`` (``[{column: value}, ...]``), ``instances`` or
``inputs`` (TF-serving style: rows, or a dict of columns / named tensors), plus optional
``params``. ``text/csv`` bodies are a table with a header row. Answers are
``{"predictions": ...}`` (DataFrames as records). Bad bodies raise ``InvalidParameter``
naming the field; an unsupported content type raises ``UnsupportedContentType`` (415).
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

from ...errors import InvalidParameter, MLOpsError
from ..examples import to_jsonable
from ..schema import ColSpec, Schema

DATAFRAME_SPLIT = "dataframe_split"
DATAFRAME_RECORDS = "dataframe_records"
INSTANCES = "instances"
INPUTS = "inputs"
INPUT_FORMATS = (DATAFRAME_SPLIT, DATAFRAME_RECORDS, INSTANCES, INPUTS)
CONTENT_TYPES = ("application/json", "text/csv")


class UnsupportedContentType(MLOpsError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    http_status = 415


def _media_type(content_type: str | None) -> str:
    media, *parameters = [part.strip() for part in (content_type or "application/json").split(";")]
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        if key.strip().lower() != "charset" or value.strip().strip('"').lower() != "utf-8":
            raise UnsupportedContentType(
                f"Unsupported content type parameter {parameter!r}: only charset=utf-8",
                field="Content-Type",
            )
    media = media.lower()
    if media not in CONTENT_TYPES:
        raise UnsupportedContentType(
            f"Content-Type must be one of {', '.join(CONTENT_TYPES)}, got {media!r}",
            field="Content-Type",
        )
    return media


def parse_request(
    body: bytes, content_type: str | None, schema: Schema | None
) -> tuple[Any, dict[str, Any] | None]:
    """(model input, params) of a scoring request."""
    media = _media_type(content_type)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidParameter(f"the body is not UTF-8: {err}", field="body") from err
    if media == "text/csv":
        return _parse_csv(text, schema), None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidParameter(f"the body is not valid JSON: {err}", field="body") from err
    except RecursionError:  # "[[[[..." a thousand deep: the decoder recurses per level
        raise InvalidParameter("the body is nested too deeply", field="body") from None
    return parse_json_request(document, schema)


def parse_json_request(document: Any, schema: Schema | None) -> tuple[Any, dict[str, Any] | None]:
    """(model input, params) of a JSON scoring request already decoded."""
    if not isinstance(document, Mapping):
        hint = (
            " (a bare list was the scoring format of MLflow 1.x: wrap it, e.g. "
            '{"inputs": [...]} or {"dataframe_records": [...]})'
            if isinstance(document, list)
            else ""
        )
        raise InvalidParameter(
            f"the body must be a JSON object with one of {', '.join(INPUT_FORMATS)}{hint}",
            field="body",
        )
    present = [key for key in INPUT_FORMATS if key in document]
    unknown = sorted(set(document) - set(INPUT_FORMATS) - {"params"})
    if len(present) != 1 or unknown:
        found = ", ".join(map(str, document)) or "nothing"
        raise InvalidParameter(
            f"the body must have exactly one of {', '.join(INPUT_FORMATS)} (and optionally "
            f"params); it has: {found}",
            field="body",
        )
    params = document.get("params")
    if params is not None and not isinstance(params, Mapping):
        raise InvalidParameter("params must be a JSON object", field="params")
    key = present[0]
    value = document[key]
    if key == DATAFRAME_SPLIT:
        data = _split_frame(value, schema)
    elif key == DATAFRAME_RECORDS:
        data = _records_frame(value, schema)
    else:
        data = _tensor_input(key, value, schema)
    return data, dict(params) if params is not None else None


def _pandas() -> Any:
    import pandas as pd

    return pd


def _split_frame(value: Any, schema: Schema | None) -> Any:
    pd = _pandas()
    if not isinstance(value, Mapping) or "data" not in value:
        raise InvalidParameter(
            'dataframe_split must be an object {"columns": [...], "data": [[...], ...]}',
            field=DATAFRAME_SPLIT,
        )
    extra = set(value) - {"columns", "data", "index"}
    if extra:
        raise InvalidParameter(
            "dataframe_split takes columns, data and index; unexpected: "
            + ", ".join(sorted(extra)),
            field=DATAFRAME_SPLIT,
        )
    columns, rows = value.get("columns"), value["data"]
    if not isinstance(rows, list) or (columns is not None and not isinstance(columns, list)):
        raise InvalidParameter(
            "dataframe_split columns and data must be lists", field=DATAFRAME_SPLIT
        )
    try:
        frame = pd.DataFrame(data=rows, columns=columns, index=value.get("index"))
    except (ValueError, TypeError) as err:
        raise InvalidParameter(
            f"dataframe_split is not a table: {err}", field=DATAFRAME_SPLIT
        ) from err
    return _positional_names(frame, schema) if columns is None else frame


def _positional_names(frame: Any, schema: Schema | None) -> Any:
    """Rows without column names take the signature's names, by position."""
    if schema is not None and not schema.is_tensor and schema.has_names:
        names = schema.names()
        if len(names) == frame.shape[1]:
            frame.columns = names
    return frame


def _records_frame(value: Any, schema: Schema | None) -> Any:
    pd = _pandas()
    if not isinstance(value, list) or not all(isinstance(r, Mapping) for r in value):
        raise InvalidParameter(
            "dataframe_records must be a list of objects, one per row", field=DATAFRAME_RECORDS
        )
    return pd.DataFrame(value)


def _tensor_input(key: str, value: Any, schema: Schema | None) -> Any:
    """``instances`` / ``inputs``: arrays for tensor models; as-is for column models,
    whose enforcement reads rows, records and column dicts."""
    import numpy as np

    if schema is not None and not schema.is_tensor:
        return value
    if isinstance(value, Mapping):
        return {str(k): _array(v, f"{key}.{k}") for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        if schema is None:
            return _pandas().DataFrame(value)
        names = {str(k) for row in value for k in row}
        return {n: _array([row.get(n) for row in value], f"{key}.{n}") for n in sorted(names)}
    if isinstance(value, list):
        return _array(value, key)
    return np.asarray(value)


def _array(value: Any, field: str) -> Any:
    import numpy as np

    try:
        array = np.asarray(value)
    except ValueError as err:
        raise InvalidParameter(f"{field} is not a rectangular array: {err}", field=field) from err
    return array


def _parse_csv(text: str, schema: Schema | None) -> Any:
    pd = _pandas()
    # Only text columns are read as typed: numbers are left to pandas' inference and the
    # signature check, which names a bad value instead of failing the whole parse.
    dtypes = None
    if schema is not None and not schema.is_tensor and schema.has_names:
        dtypes = {
            spec.name: str
            for spec in schema.inputs
            if isinstance(spec, ColSpec) and spec.type == "string"
        }
    try:
        return pd.read_csv(io.StringIO(text), dtype=dtypes)
    except (ValueError, TypeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise InvalidParameter(
            f"the CSV body is not a table with a header row: {err}", field="body"
        ) from err


def predictions_document(predictions: Any) -> dict[str, Any]:
    """The answer body: ``{"predictions": ...}``."""
    return {"predictions": to_jsonable(predictions)}
