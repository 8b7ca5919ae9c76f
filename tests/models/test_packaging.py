"""Saving and loading models in the MLmodel format without MLflow: every flavour round
trips, the files are MLflow's, and the signature is enforced on predict."""

from __future__ import annotations

import importlib.util
import json
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import jupyter_mlops as mlops
from jupyter_mlops.errors import InvalidParameter, NotFound
from jupyter_mlops.models import (
    MLModel,
    PythonModel,
    PythonModelContext,
    SchemaMismatch,
    load_model,
    load_native_model,
    save_model,
)


def _mlmodel(folder: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((folder / "MLmodel").read_text())
    return document


def test_sklearn_round_trip_writes_mlflows_layout(
    tmp_path: Path, mlops_classifier: Any, mlops_iris_frame: pd.DataFrame
) -> None:
    features = mlops_iris_frame[["sepal", "petals"]]
    save_model(mlops_classifier, tmp_path / "model", input_example=features.head(3))

    document = _mlmodel(tmp_path / "model")
    assert document["flavors"]["sklearn"] == {
        "pickled_model": "model.pkl",
        "serialization_format": "cloudpickle",
        "sklearn_version": importlib.metadata.version("scikit-learn"),
        "code": None,
    }
    pyfunc = document["flavors"]["python_function"]
    assert pyfunc["loader_module"] == "mlflow.sklearn"
    assert pyfunc["model_path"] == "model.pkl"
    assert pyfunc["env"] == {"conda": "conda.yaml", "virtualenv": "python_env.yaml"}
    assert pyfunc["python_version"] == platform.python_version()
    assert json.loads(document["signature"]["inputs"]) == [
        {"type": "double", "name": "sepal", "required": True},
        {"type": "long", "name": "petals", "required": True},
    ]
    assert json.loads(document["signature"]["outputs"]) == [
        {"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}
    ]
    assert json.loads((tmp_path / "model" / "input_example.json").read_text()) == {
        "columns": ["sepal", "petals"],
        "data": [list(row) for row in features.head(3).itertuples(index=False)],
    }
    assert document["model_size_bytes"] > 0
    assert document["jupyter_mlops_version"] == mlops.__version__

    model = load_model(str(tmp_path / "model"))
    expected = mlops_classifier.predict(features)
    np.testing.assert_array_equal(model.predict(features), expected)
    # the same rows as records, column dict, and positional rows
    np.testing.assert_array_equal(model.predict(features.to_dict("records")), expected)
    np.testing.assert_array_equal(model.predict(features.to_numpy().tolist()), expected)
    assert type(load_native_model(str(tmp_path / "model"))) is type(mlops_classifier)
    pd.testing.assert_frame_equal(model.input_example, features.head(3).reset_index(drop=True))


def test_environment_files_pin_what_the_model_needs(tmp_path: Path, mlops_classifier: Any) -> None:
    save_model(
        mlops_classifier,
        tmp_path / "m",
        extra_pip_requirements=["requests>=2"],
    )
    requirements = (tmp_path / "m" / "requirements.txt").read_text().split()
    version = importlib.metadata.version
    for name in ("scikit-learn", "cloudpickle", "numpy", "scipy"):
        assert f"{name}=={version(name)}" in requirements
    assert requirements[-1] == "requests>=2"
    python_env = yaml.safe_load((tmp_path / "m" / "python_env.yaml").read_text())
    assert python_env["python"] == platform.python_version()
    assert python_env["dependencies"] == ["-r requirements.txt"]
    conda = yaml.safe_load((tmp_path / "m" / "conda.yaml").read_text())
    assert conda["dependencies"][0] == f"python={platform.python_version()}"
    assert conda["dependencies"][-1] == {"pip": requirements}


def test_predict_enforces_the_signature(
    tmp_path: Path, mlops_classifier: Any, mlops_iris_frame: pd.DataFrame
) -> None:
    save_model(
        mlops_classifier, tmp_path / "m", input_example=mlops_iris_frame[["sepal", "petals"]]
    )
    model = load_model(str(tmp_path / "m"))
    with pytest.raises(SchemaMismatch) as caught:
        model.predict(pd.DataFrame({"sepal": ["tall"]}))
    assert caught.value.field == "input"
    assert "column 'petals' (long) is missing" in caught.value.message
    assert "column 'sepal': expected double" in caught.value.message


class Scaler(PythonModel):
    """A custom model that reads an artifact at load and takes a param."""

    def load_context(self, context: PythonModelContext) -> None:
        self.offset = float(Path(context.artifacts["offset"]).read_text())

    def predict(
        self, context: PythonModelContext, model_input: Any, params: dict[str, Any] | None = None
    ) -> Any:
        return model_input * (params or {}).get("factor", 1) + self.offset


def test_custom_python_model_with_artifact_and_params(tmp_path: Path) -> None:
    offset = tmp_path / "offset.txt"
    offset.write_text("0.5")
    example = np.array([[1.0, 2.0]])
    save_model(
        Scaler(),
        tmp_path / "m",
        input_example=(example, {"factor": 2}),
        artifacts={"offset": str(offset)},
    )
    document = _mlmodel(tmp_path / "m")
    pyfunc = document["flavors"]["python_function"]
    assert pyfunc["loader_module"] == "jupyter_mlops.models.flavors.pyfunc"
    assert pyfunc["artifacts"] == {"offset": "artifacts/offset.txt"}
    assert "jupyter-mlops==" in (tmp_path / "m" / "requirements.txt").read_text()
    offset.unlink()  # the model carries its own copy

    model = load_model(str(tmp_path / "m"))
    np.testing.assert_allclose(model.predict(example), [[2.5, 4.5]])  # default factor 2
    np.testing.assert_allclose(model.predict(example, params={"factor": 10}), [[10.5, 20.5]])
    with pytest.raises(SchemaMismatch, match="unknown param 'factr'"):
        model.predict(example, params={"factr": 10})
    with pytest.raises(SchemaMismatch, match=r"expected shape \[-1, 2\], got \[1, 3\]"):
        model.predict(np.array([[1.0, 2.0, 3.0]]))


class Doubler:
    def predict(self, model_input: Any) -> Any:
        return [2 * x for x in model_input["x"]]


def test_duck_typed_model_and_function(tmp_path: Path) -> None:
    save_model(Doubler(), tmp_path / "obj", input_example=pd.DataFrame({"x": [1.0, 2.0]}))
    assert load_model(str(tmp_path / "obj")).predict(pd.DataFrame({"x": [3.0]})) == [6.0]

    save_model(
        lambda frame: frame["x"] + 1, tmp_path / "fn", input_example=pd.DataFrame({"x": [1]})
    )
    result = load_model(str(tmp_path / "fn")).predict(pd.DataFrame({"x": [41]}))
    assert result.tolist() == [42]


def test_mlmodel_round_trips_unknown_keys(tmp_path: Path) -> None:
    document = {
        "flavors": {"python_function": {"loader_module": "some.loader"}},
        "mlflow_version": "3.1.0",
        "prompts": None,
        "model_uuid": "abc",
        "utc_time_created": "2025-01-01 00:00:00.000000",
    }
    (tmp_path / "MLmodel").write_text(yaml.safe_dump(document))
    mlmodel = MLModel.load(tmp_path)
    assert mlmodel.extra == {"mlflow_version": "3.1.0", "prompts": None}
    assert yaml.safe_load(mlmodel.to_yaml())["mlflow_version"] == "3.1.0"


def test_bad_paths_and_objects_are_refused(tmp_path: Path, mlops_classifier: Any) -> None:
    with pytest.raises(NotFound) as missing:
        load_model(str(tmp_path / "nowhere"))
    assert missing.value.field == "model_uri"
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    with pytest.raises(InvalidParameter) as full:
        save_model(mlops_classifier, tmp_path / "full")
    assert full.value.field == "path"
    with pytest.raises(InvalidParameter) as misplaced:
        save_model(mlops_classifier, tmp_path / "a", artifacts={"x": str(tmp_path / "full")})
    assert misplaced.value.field == "artifacts"
    with pytest.raises(InvalidParameter) as no_such_method:
        save_model(mlops_classifier, tmp_path / "b", pyfunc_predict_fn="explain")
    assert no_such_method.value.field == "pyfunc_predict_fn"
    with pytest.raises(InvalidParameter) as unknown:
        save_model(42, tmp_path / "int")
    assert unknown.value.field == "model"
    assert not (tmp_path / "int").exists()  # nothing half-written stays behind
    for uri in ("runs:/only-an-id", "models:/name", "s3://bucket/model"):
        with pytest.raises(InvalidParameter) as bad:
            load_model(uri)
        assert bad.value.field == "model_uri", uri


def test_mlmodel_cannot_point_outside_its_folder(tmp_path: Path, mlops_classifier: Any) -> None:
    save_model(mlops_classifier, tmp_path / "m")
    document = _mlmodel(tmp_path / "m")
    document["flavors"]["sklearn"]["pickled_model"] = "../../etc/passwd"
    (tmp_path / "m" / "MLmodel").write_text(yaml.safe_dump(document))
    with pytest.raises(InvalidParameter, match="outside the model folder"):
        load_model(str(tmp_path / "m"))


def test_package_exports_are_lazy() -> None:
    assert mlops.log_model is mlops.models.log_model
    assert mlops.load_model is mlops.models.load_model


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_pytorch_round_trip(tmp_path: Path) -> None:
    import torch

    module = torch.nn.Sequential(torch.nn.Linear(3, 2))
    example = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    save_model(module, tmp_path / "m", input_example=example)
    document = _mlmodel(tmp_path / "m")
    assert document["flavors"]["pytorch"]["model_data"] == "data"
    assert document["flavors"]["python_function"]["loader_module"] == "mlflow.pytorch"
    assert (tmp_path / "m" / "data" / "pickle_module_info.txt").read_text() == (
        "jupyter_mlops.models.flavors.torch_pickle"
    )
    with torch.no_grad():
        expected = module(torch.from_numpy(example)).numpy()
    np.testing.assert_allclose(
        load_model(str(tmp_path / "m")).predict(example), expected, rtol=1e-6
    )


def test_pytorch_is_optional() -> None:
    """Without torch installed nothing imports it (the flavour is skipped, not broken)."""
    if importlib.util.find_spec("torch") is not None:
        pytest.skip("torch is installed here")
    from jupyter_mlops.models.flavors import flavor_for

    assert flavor_for(Doubler()).name == "python_function"
    assert "torch" not in sys.modules


def test_pyfunc_predict_fn_picks_the_estimator_method(
    tmp_path: Path, mlops_classifier: Any, mlops_iris_frame: pd.DataFrame
) -> None:
    features = mlops_iris_frame[["sepal", "petals"]]
    save_model(mlops_classifier, tmp_path / "m", pyfunc_predict_fn="predict_proba")
    assert _mlmodel(tmp_path / "m")["flavors"]["python_function"]["predict_fn"] == "predict_proba"
    probabilities = load_model(str(tmp_path / "m")).predict(features)
    np.testing.assert_allclose(probabilities, mlops_classifier.predict_proba(features))
