"""Signatures: MLflow's JSON form, inference from examples, and enforcement with errors
that name every mismatch."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from jupyter_mlops.errors import InvalidParameter
from jupyter_mlops.models import SchemaMismatch, Signature, infer_signature
from jupyter_mlops.models.enforcement import enforce_params, enforce_schema
from jupyter_mlops.models.inference import infer_schema
from jupyter_mlops.models.schema import Schema

# What MLflow 3 writes for these examples (captured from mlflow.models.infer_signature).
MLFLOW_FRAME_INPUTS = (
    '[{"type": "double", "name": "a", "required": true}, '
    '{"type": "long", "name": "b", "required": true}, '
    '{"type": "string", "name": "c", "required": true}, '
    '{"type": "boolean", "name": "d", "required": true}, '
    '{"type": "integer", "name": "i32", "required": true}, '
    '{"type": "float", "name": "f32", "required": true}, '
    '{"type": "datetime", "name": "t", "required": true}, '
    '{"type": "double", "name": "opt", "required": false}]'
)
MLFLOW_NESTED_INPUTS = (
    '[{"type": "double", "name": "a", "required": true}, '
    '{"type": "string", "name": "b", "required": true}, '
    '{"type": "array", "items": {"type": "long"}, "name": "c", "required": true}, '
    '{"type": "object", "properties": {"k": {"type": "long", "required": true}}, '
    '"name": "d", "required": true}]'
)


def test_frame_inference_matches_mlflow() -> None:
    frame = pd.DataFrame(
        {
            "a": [1.0, 2.0],
            "b": [1, 2],
            "c": ["x", "y"],
            "d": [True, False],
            "i32": np.array([1, 2], dtype=np.int32),
            "f32": np.array([1, 2], dtype=np.float32),
            "t": pd.to_datetime(["2020-01-01", "2020-01-02"]),
            "opt": [1.0, None],
        }
    )
    assert json.loads(infer_schema(frame).to_json()) == json.loads(MLFLOW_FRAME_INPUTS)


def test_nested_dict_inference_matches_mlflow() -> None:
    example = {"a": 1.0, "b": "s", "c": [1, 2], "d": {"k": 1}}
    assert json.loads(infer_schema(example).to_json()) == json.loads(MLFLOW_NESTED_INPUTS)


def test_tensor_and_records_inference() -> None:
    assert infer_schema(np.zeros((3, 4), dtype=np.float32)).to_list() == [
        {"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}
    ]
    named = infer_schema({"x": np.zeros((2, 3)), "y": np.zeros(2, dtype=np.int64)}).to_list()
    assert [spec["name"] for spec in named] == ["x", "y"]
    assert named[1]["tensor-spec"] == {"dtype": "int64", "shape": [-1]}
    records = infer_schema([{"a": 1, "b": "x"}, {"a": 2}]).to_list()
    assert records == [
        {"type": "long", "name": "a", "required": True},
        {"type": "string", "name": "b", "required": False},
    ]


def test_signature_round_trips_through_mlmodel_form() -> None:
    signature = infer_signature(
        pd.DataFrame({"a": [1.0]}), np.array([1, 2]), params={"alpha": 0.5, "ids": [1, 2]}
    )
    document = signature.to_dict()
    assert json.loads(document["params"]) == [
        {"name": "alpha", "default": 0.5, "shape": None, "type": "double"},
        {"name": "ids", "default": [1, 2], "shape": [-1], "type": "long"},
    ]
    assert Signature.from_dict(document) == signature


def test_mlflow_written_signature_is_read() -> None:
    signature = Signature.from_dict({"inputs": MLFLOW_NESTED_INPUTS, "outputs": None})
    assert signature.inputs is not None
    assert signature.inputs.names() == ["a", "b", "c", "d"]
    assert signature.inputs.to_json() == Schema.from_json(MLFLOW_NESTED_INPUTS).to_json()


def test_malformed_signature_is_refused_with_field() -> None:
    with pytest.raises(InvalidParameter) as caught:
        Signature.from_dict({"inputs": '[{"type": "complex128", "name": "z"}]'})
    assert caught.value.field == "signature"
    assert "complex128" in caught.value.message


# -- enforcement ---------------------------------------------------------------------------
@pytest.fixture
def columns() -> Schema:
    return infer_schema(pd.DataFrame({"x": [1.0], "n": [1], "city": ["a"]}))


def test_enforcement_converts_safely_and_drops_extra_columns(columns: Schema) -> None:
    frame = enforce_schema(pd.DataFrame({"city": ["b"], "n": [3], "x": [2], "extra": [0]}), columns)
    assert list(frame.columns) == ["x", "n", "city"]
    assert frame["x"].dtype == np.float64  # int -> double: exact, so allowed
    # dicts of columns, records and positional rows all become the same table
    for data in (
        {"x": [2.0], "n": [3], "city": ["b"]},
        [{"x": 2.0, "n": 3, "city": "b"}],
        [[2.0, 3, "b"]],
    ):
        assert enforce_schema(data, columns).to_dict("list") == {
            "x": [2.0],
            "n": [3],
            "city": ["b"],
        }


def test_enforcement_names_every_mismatch(columns: Schema) -> None:
    with pytest.raises(SchemaMismatch) as caught:
        enforce_schema(pd.DataFrame({"x": ["high"], "n": [1.5]}), columns)
    error = caught.value
    assert error.field == "input"
    x_problem, n_problem, city_problem = error.problems
    # (the text column's dtype is "object" before pandas 3, "str" since)
    assert x_problem.startswith("column 'x': expected double, got ")
    assert x_problem.endswith(" values like ['high']")
    assert n_problem == "column 'n': expected long, got float64 values like [1.5]"
    assert city_problem == "column 'city' (string) is missing"
    assert "The model expects ['x': double, 'n': long, 'city': string]" in error.message


def test_enforcement_refuses_wrong_row_width(columns: Schema) -> None:
    with pytest.raises(SchemaMismatch, match="expected 3 columns per row, got 2"):
        enforce_schema([[1.0, 2]], columns)


def test_tensor_enforcement_checks_dtype_and_shape() -> None:
    schema = infer_schema(np.zeros((2, 3), dtype=np.float32))
    assert enforce_schema([[1, 2, 3]], schema).dtype == np.float32  # small ints fit exactly
    with pytest.raises(SchemaMismatch, match=r"expected shape \[-1, 3\], got \[1, 2\]"):
        enforce_schema(np.zeros((1, 2), dtype=np.float32), schema)
    with pytest.raises(SchemaMismatch, match="expected dtype float32, got <U1"):
        enforce_schema(np.array([["a", "b", "c"]]), schema)


def test_named_tensors_must_all_be_present() -> None:
    schema = infer_schema({"image": np.zeros((1, 2)), "mask": np.zeros((1, 2), dtype=bool)})
    with pytest.raises(SchemaMismatch, match="tensor 'mask' is missing"):
        enforce_schema({"image": [[1.0, 2.0]]}, schema)


def test_nested_values_are_checked() -> None:
    schema = Schema.from_json(MLFLOW_NESTED_INPUTS)
    ok = enforce_schema({"a": 1.0, "b": "s", "c": [1, 2], "d": {"k": 3}}, schema)
    assert ok.shape == (1, 4)
    with pytest.raises(SchemaMismatch) as caught:
        enforce_schema({"a": 1.0, "b": "s", "c": ["x"], "d": {"j": 3}}, schema)
    assert "column 'c' row 0[0]: expected long, got str 'x'" in caught.value.problems
    assert "column 'd' row 0: missing required property 'k'" in caught.value.problems


def test_params_get_defaults_and_refuse_unknown_names() -> None:
    schema = infer_signature(np.zeros((1, 1)), params={"k": 3, "scale": 0.5}).params
    assert enforce_params(None, schema) == {"k": 3, "scale": 0.5}
    assert enforce_params({"scale": 2}, schema) == {"k": 3, "scale": 2.0}
    with pytest.raises(SchemaMismatch) as caught:
        enforce_params({"k": "many", "typo": 1}, schema)
    assert caught.value.field == "params"
    assert caught.value.problems == [
        "unknown param 'typo'",
        "param 'k': expected long, got str 'many'",
    ]
