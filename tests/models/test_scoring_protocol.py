"""MLflow's scoring protocol, parsed without a server: each payload form, and bad ones
refused with the field named."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jupyter_mlops.errors import InvalidParameter
from jupyter_mlops.models.inference import infer_schema
from jupyter_mlops.models.scoring import UnsupportedContentType, parse_request, predictions_document

COLUMNS = infer_schema(pd.DataFrame({"x": [1.0], "city": ["a"]}))
TENSOR = infer_schema(np.zeros((1, 2), dtype=np.float32))


def _parse(document: Any, schema: Any = COLUMNS, content_type: str = "application/json") -> Any:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    return parse_request(body, content_type, schema)


def test_dataframe_split_and_records() -> None:
    split, params = _parse(
        {"dataframe_split": {"columns": ["x", "city"], "data": [[1.5, "b"]]}, "params": {"k": 1}}
    )
    assert split.to_dict("list") == {"x": [1.5], "city": ["b"]}
    assert params == {"k": 1}
    records, _ = _parse({"dataframe_records": [{"x": 1.5, "city": "b"}]})
    assert records.to_dict("list") == {"x": [1.5], "city": ["b"]}
    unnamed, _ = _parse({"dataframe_split": {"data": [[1.5, "b"]]}})
    assert list(unnamed.columns) == ["x", "city"]  # positional rows take the signature's names


def test_instances_and_inputs() -> None:
    rows, _ = _parse({"instances": [[1.0, 2.0]]}, TENSOR)
    assert isinstance(rows, np.ndarray) and rows.shape == (1, 2)
    named, _ = _parse({"inputs": {"a": [[1, 2]], "b": [3]}}, None)
    assert set(named) == {"a", "b"} and named["a"].shape == (1, 2)
    # column models get the JSON as it is; enforcement reads rows, records or column dicts
    raw, _ = _parse({"inputs": {"x": [1.0], "city": ["b"]}})
    assert raw == {"x": [1.0], "city": ["b"]}


def test_csv() -> None:
    frame, params = _parse(b"x,city\n1.5,007\n", content_type="text/csv; charset=utf-8")
    assert frame.to_dict("list") == {"x": [1.5], "city": ["007"]}  # text stays text
    assert params is None


@pytest.mark.parametrize(
    ("document", "field", "words"),
    [
        ([1, 2], "body", "a bare list was the scoring format of MLflow 1.x"),
        ({"foo": 1}, "body", "exactly one of dataframe_split"),
        ({"inputs": [1], "instances": [1]}, "body", "it has: inputs, instances"),
        ({"inputs": [1], "params": [1]}, "params", "params must be a JSON object"),
        ({"dataframe_split": [[1]]}, "dataframe_split", '{"columns": [...], "data"'),
        ({"dataframe_split": {"data": [], "rows": 1}}, "dataframe_split", "unexpected: rows"),
        ({"dataframe_records": {"x": 1}}, "dataframe_records", "list of objects"),
        (b"{not json", "body", "not valid JSON"),
        (b"\xff\xfe", "body", "not UTF-8"),
    ],
)
def test_bad_payloads_name_the_field(document: Any, field: str, words: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        _parse(document)
    assert caught.value.field == field
    assert words in caught.value.message


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/json; charset=latin-1", "application/x-protobuf"]
)
def test_other_content_types_are_415(content_type: str) -> None:
    with pytest.raises(UnsupportedContentType) as caught:
        parse_request(b"{}", content_type, None)
    assert caught.value.http_status == 415


def test_predictions_are_json() -> None:
    frame = pd.DataFrame({"p": [0.5, float("nan")], "t": pd.to_datetime(["2020-01-01", None])})
    assert predictions_document(frame) == {
        "predictions": [{"p": 0.5, "t": "2020-01-01T00:00:00"}, {"p": None, "t": None}]
    }
    assert predictions_document(np.array([1, 2], dtype=np.int32)) == {"predictions": [1, 2]}
    assert predictions_document(pd.Series([1.0, float("inf")])) == {"predictions": [1.0, None]}
