"""Models through MLflow's client: autologging, MLflow 3 logged models, the registry
(versions, tags, aliases) and loading ``models:/name@alias`` back to predict."""

from __future__ import annotations

from typing import Any

import requests

from tests.mlflow_compat.conftest import MlflowClientRunner


def test_sklearn_autolog_around_fit(mlops_mlflow: MlflowClientRunner) -> None:
    out = mlops_mlflow.run(
        """
        import mlflow
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression
        mlflow.set_experiment("autolog")
        mlflow.sklearn.autolog(log_models=True, log_input_examples=False, silent=True)
        X, y = load_iris(return_X_y=True)
        with mlflow.start_run() as run:
            LogisticRegression(max_iter=200, C=0.5).fit(X, y)
        r = mlflow.get_run(run.info.run_id)
        models = mlflow.search_logged_models(experiment_ids=[run.info.experiment_id],
                                             output_format="list")
        result({
            "params": r.data.params, "metrics": sorted(r.data.metrics),
            "tags": r.data.tags, "status": r.info.status,
            "models": [(m.source_run_id, m.status.to_proto()) for m in models],
            "rid": run.info.run_id,
            "datasets": [[d.dataset.name, {t.key: t.value for t in d.tags}]
                         for d in r.inputs.dataset_inputs],
            "outputs": [o.model_id for o in r.outputs.model_outputs],
            "produced": [m.model_id for m in models if m.source_run_id == run.info.run_id],
        })
        """
    )
    assert out["status"] == "FINISHED"
    assert out["params"]["C"] == "0.5" and out["params"]["max_iter"] == "200"
    assert "training_accuracy_score" in out["metrics"]
    assert out["tags"]["estimator_name"] == "LogisticRegression"
    assert [out["rid"], 2] in out["models"]  # LOGGED_MODEL_READY
    # Autologging records the training data as the run's dataset input, and the fitted
    # model as its output.
    assert [context for _name, tags in out["datasets"] for context in tags.values()] == ["train"]
    assert out["outputs"] == out["produced"] and len(out["outputs"]) == 1


#: Logs a model, registers two versions, tags, describes and aliases them, loads and
#: predicts through an alias and a version, edits, then provokes the client's errors.
_REGISTRY_SCRIPT = """
import numpy as np
import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
mlflow.set_experiment("registry")
X, y = load_iris(return_X_y=True)
with mlflow.start_run() as run:
    model = LogisticRegression(max_iter=300).fit(X, y)
    info = mlflow.sklearn.log_model(model, name="tree", input_example=X[:2])
c = MlflowClient()
v1 = mlflow.register_model(info.model_uri, "iris-tree")
v2 = mlflow.register_model(f"runs:/{run.info.run_id}/tree", "iris-tree")
c.set_registered_model_tag("iris-tree", "team", "ds")
c.update_registered_model("iris-tree", description="an iris classifier")
c.set_model_version_tag("iris-tree", v1.version, "validated", "yes")
c.update_model_version("iris-tree", v1.version, description="first")
c.set_registered_model_alias("iris-tree", "champion", v1.version)
c.set_registered_model_alias("iris-tree", "challenger", v2.version)
by_alias = c.get_model_version_by_alias("iris-tree", "champion")
loaded = mlflow.pyfunc.load_model("models:/iris-tree@champion")
predicted = loaded.predict(X[:5]).tolist()
sk = mlflow.sklearn.load_model("models:/iris-tree/2")
rm = c.get_registered_model("iris-tree")
versions = c.search_model_versions("name = 'iris-tree'")
models = c.search_registered_models(filter_string="name LIKE 'iris%'")
c.delete_registered_model_alias("iris-tree", "challenger")
c.delete_model_version_tag("iris-tree", v1.version, "validated")
after = c.get_model_version("iris-tree", v1.version)
uri = c.get_model_version_download_uri("iris-tree", v1.version)
try:
    c.create_registered_model("iris-tree")
    duplicate = None
except MlflowException as e:
    duplicate = e.error_code
try:
    c.get_model_version_by_alias("iris-tree", "nobody")
    missing_alias = None
except MlflowException as e:
    missing_alias = e.error_code
try:
    c.create_model_version("iris-tree", "file:///etc", run_id=run.info.run_id)
    file_source = None
except MlflowException as e:
    file_source = e.error_code
c.delete_model_version("iris-tree", v2.version)
remaining = [v.version for v in c.search_model_versions("name = 'iris-tree'")]
result({
    "v1": [v1.version, v1.status], "v2": v2.version,
    "by_alias": [by_alias.version, list(by_alias.aliases)],
    "predicted": predicted, "expected": model.predict(X[:5]).tolist(),
    "sk": type(sk).__name__,
    "rm": [rm.description, rm.tags, rm.aliases],
    "versions": sorted(v.version for v in versions),
    "models": [m.name for m in models],
    "after": [after.tags, after.description, list(after.aliases)],
    "uri": uri, "duplicate": duplicate, "missing_alias": missing_alias,
    "file_source": file_source, "remaining": remaining,
    "model_id": info.model_id,
})
"""


def test_log_register_alias_load_and_predict(mlops_mlflow: MlflowClientRunner) -> None:
    out = mlops_mlflow.run(_REGISTRY_SCRIPT)
    _assert_registered_aliased_and_loaded(out)
    _assert_refused_and_deleted(out)
    _assert_seen_by_the_native_api(mlops_mlflow)


def _assert_registered_aliased_and_loaded(out: dict[str, Any]) -> None:
    assert out["v1"] == ["1", "READY"] and out["v2"] == "2"
    assert out["by_alias"] == ["1", ["champion"]]
    assert out["predicted"] == out["expected"]
    assert out["sk"] == "LogisticRegression"
    assert out["rm"] == ["an iris classifier", {"team": "ds"}, {"champion": "1", "challenger": "2"}]
    assert out["versions"] == ["1", "2"]
    assert out["models"] == ["iris-tree"]
    assert out["after"] == [{}, "first", ["champion"]]
    assert out["uri"].startswith("mlflow-artifacts:/")


def _assert_refused_and_deleted(out: dict[str, Any]) -> None:
    assert out["duplicate"] == "RESOURCE_ALREADY_EXISTS"
    assert out["missing_alias"] == "RESOURCE_DOES_NOT_EXIST"
    assert out["file_source"] == "INVALID_PARAMETER_VALUE"
    assert out["remaining"] == ["1"]


def _assert_seen_by_the_native_api(mlops_mlflow: MlflowClientRunner) -> None:
    # The registry is the native API's too: one store.
    server = mlops_mlflow.server
    native = requests.get(
        f"{server.url}mlops/api/registered-models/iris-tree", headers=server.headers, timeout=10
    )
    assert native.status_code == 200, native.text
