"""Both directions with the real `mlflow` package: models we save load with
`mlflow.pyfunc.load_model` and predict the same; models MLflow logs (to its own SQLite
store in a temp dir) load with ours. MLflow runs in subprocesses, so its global state
(tracking URI, autologging, imports) stays out of this process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jupyter_mlops.models import (
    PythonModel,
    PythonModelContext,
    load_model,
    load_native_model,
    save_model,
)

pytest.importorskip("mlflow")

REPO = Path(__file__).resolve().parents[2]


def run_python(code: str, cwd: Path) -> Any:
    """Run ``code`` in a fresh interpreter; it prints one JSON document last."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "JUPYTER_MLOPS_"))},
        # Classes pickled by reference (like Affine below) load where their module imports,
        # in MLflow as with us; notebook classes (__main__) are pickled by value instead.
        "PYTHONPATH": os.pathsep.join([str(REPO), str(Path(__file__).parent)]),
        "MLFLOW_TRACKING_URI": f"sqlite:///{cwd / 'mlflow.db'}",
        "GIT_PYTHON_REFRESH": "quiet",
    }
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


class Affine(PythonModel):
    def load_context(self, context: PythonModelContext) -> None:
        self.bias = float(Path(context.artifacts["bias"]).read_text())

    def predict(self, context: PythonModelContext, model_input: Any, params: Any = None) -> Any:
        return model_input["x"] * (params or {}).get("scale", 1.0) + self.bias


def test_our_models_load_in_mlflow(
    tmp_path: Path, mlops_classifier: Any, mlops_iris_frame: pd.DataFrame
) -> None:
    features = mlops_iris_frame[["sepal", "petals"]]
    save_model(mlops_classifier, tmp_path / "sklearn", input_example=features.head(2))
    bias = tmp_path / "bias.txt"
    bias.write_text("10")
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    save_model(
        Affine(),
        tmp_path / "custom",
        input_example=(frame, {"scale": 2.0}),
        artifacts={"bias": str(bias)},
    )
    (tmp_path / "features.json").write_text(features.to_json(orient="split", index=False))

    result = run_python(
        """
        import json, mlflow.pyfunc, pandas as pd
        features = pd.read_json("features.json", orient="split")
        sk = mlflow.pyfunc.load_model("sklearn")
        custom = mlflow.pyfunc.load_model("custom")
        frame = pd.DataFrame({"x": [1.0, 2.0]})
        try:
            sk.predict(pd.DataFrame({"sepal": ["tall"], "petals": [1]}))
            refused = None
        except Exception as err:  # MLflow enforces the signature we wrote
            refused = type(err).__name__
        print(json.dumps({
            "sklearn": sk.predict(features).tolist(),
            "sklearn_signature": sk.metadata.signature.to_dict(),
            "custom_default": custom.predict(frame).tolist(),
            "custom_param": custom.predict(frame, params={"scale": 5.0}).tolist(),
            "refused": refused,
        }))
        """,
        tmp_path,
    )
    assert result["sklearn"] == mlops_classifier.predict(features).tolist()
    ours = load_model(str(tmp_path / "sklearn")).signature
    assert ours is not None
    assert result["sklearn_signature"]["inputs"] == ours.to_dict()["inputs"]
    assert result["refused"] == "MlflowException"
    custom = load_model(str(tmp_path / "custom"))
    assert result["custom_default"] == custom.predict(frame).tolist() == [12.0, 14.0]
    assert result["custom_param"] == custom.predict(frame, params={"scale": 5.0}).tolist()


@pytest.fixture(scope="module")
def mlflow_written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Models written by MLflow itself: logged to its SQLite store (and registered), and
    saved in each sklearn serialization format plus a custom pyfunc model."""
    root = tmp_path_factory.mktemp("mlflow-written")
    paths = run_python(
        """
        import json, mlflow, mlflow.sklearn, mlflow.pyfunc, numpy as np, pandas as pd
        from sklearn.linear_model import LogisticRegression
        rng = np.random.default_rng(1)
        X = pd.DataFrame({"a": rng.normal(size=30), "b": rng.integers(0, 3, 30)})
        y = (X["a"] + X["b"] > 1).astype(int)
        model = LogisticRegression().fit(X, y)
        X.to_json("X.json", orient="split", index=False)
        with mlflow.start_run():
            info = mlflow.sklearn.log_model(
                model, name="model", input_example=X.head(3), registered_model_name="churn")
        logged = mlflow.artifacts.download_artifacts(info.model_uri, dst_path="downloaded")
        for fmt in ("cloudpickle", "pickle"):
            mlflow.sklearn.save_model(model, f"saved-{fmt}", serialization_format=fmt)

        class Plus(mlflow.pyfunc.PythonModel):
            def predict(self, context, model_input, params=None):
                return model_input["a"] + 1

        mlflow.pyfunc.save_model("custom", python_model=Plus(), input_example=X.head(2))

        # Ours, on MLflow's custom model: its loader (mlflow.pyfunc.model) is not one we
        # implement, so it is imported and called through MLflow's loader protocol. Done
        # here, where mlflow is imported anyway, to keep mlflow out of the test process.
        from jupyter_mlops.models import load_model
        custom = load_model("custom")
        print(json.dumps({
            "logged": logged,
            "model_id": info.model_id,
            "custom_loader": custom.loader_module,
            "custom_predictions": list(custom.predict(X)),
            "custom_expected": list(X["a"] + 1),
        }))
        """,
        root,
    )
    return {"root": root, **paths}


def test_mlflow_logged_sklearn_model_loads_with_ours(mlflow_written: dict[str, Any]) -> None:
    root = mlflow_written["root"]
    features = pd.read_json(root / "X.json", orient="split")
    native = load_native_model(mlflow_written["logged"])
    model = load_model(mlflow_written["logged"])
    assert model.metadata.model_id == mlflow_written["model_id"]
    # MLflow 3 logs scikit-learn models in the skops format by default
    assert model.metadata.flavors["sklearn"]["serialization_format"] == "skops"
    np.testing.assert_array_equal(model.predict(features), native.predict(features))
    assert model.signature is not None and model.signature.inputs is not None
    assert model.signature.inputs.names() == ["a", "b"]
    pd.testing.assert_frame_equal(model.input_example, features.head(3))


@pytest.mark.parametrize("fmt", ["cloudpickle", "pickle"])
def test_mlflow_saved_formats_load_with_ours(mlflow_written: dict[str, Any], fmt: str) -> None:
    root = mlflow_written["root"]
    features = pd.read_json(root / "X.json", orient="split")
    reference = load_native_model(mlflow_written["logged"]).predict(features)
    np.testing.assert_array_equal(
        load_model(str(root / f"saved-{fmt}")).predict(features), reference
    )


def test_mlflow_custom_model_loads_through_its_own_loader(mlflow_written: dict[str, Any]) -> None:
    """A loader we do not implement (mlflow.pyfunc.model) is imported and called through
    MLflow's loader protocol, as MLflow itself does (checked in the fixture's process)."""
    assert mlflow_written["custom_loader"] == "mlflow.pyfunc.model"
    np.testing.assert_allclose(
        mlflow_written["custom_predictions"], mlflow_written["custom_expected"]
    )


def test_model_logged_by_our_client_loads_in_mlflow_through_the_server(
    mlops_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    mlops_local_tracking: str,
    mlops_classifier: Any,
    mlops_iris_frame: pd.DataFrame,
    tmp_path: Path,
) -> None:
    """Logged and registered by our client over REST; MLflow's client, pointed at our
    MLflow-compatible API, loads it by alias and by model id and predicts the same."""
    import uuid

    import jupyter_mlops as mlops

    monkeypatch.setenv("JUPYTER_MLOPS_TRACKING_URI", mlops_server.url)
    monkeypatch.setenv("JUPYTER_MLOPS_TOKEN", mlops_server.token)
    name = f"interop-{uuid.uuid4().hex[:8]}"
    features = mlops_iris_frame[["sepal", "petals"]]
    with mlops.start_run(experiment=name):
        info = mlops.log_model(
            mlops_classifier, "model", features.head(2), registered_model_name=name
        )
    client = mlops.MlopsClient(mlops_server.url, mlops_server.token)
    client.set_registered_model_alias(name, "champion", "1")
    client.close()
    (tmp_path / "features.json").write_text(features.to_json(orient="split", index=False))
    result = run_python(
        f"""
        import json, os, mlflow.pyfunc, pandas as pd
        os.environ["MLFLOW_TRACKING_URI"] = {mlops_server.url + "mlops/mlflow"!r}
        os.environ["MLFLOW_TRACKING_TOKEN"] = {mlops_server.token!r}
        features = pd.read_json("features.json", orient="split")
        by_alias = mlflow.pyfunc.load_model("models:/{name}@champion")
        by_id = mlflow.pyfunc.load_model({info.model_uri!r})
        print(json.dumps({{
            "alias": by_alias.predict(features).tolist(),
            "id": by_id.predict(features).tolist(),
        }}))
        """,
        tmp_path,
    )
    expected = mlops_classifier.predict(features).tolist()
    assert result == {"alias": expected, "id": expected}
