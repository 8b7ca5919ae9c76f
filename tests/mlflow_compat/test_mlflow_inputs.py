"""Dataset and model inputs and model outputs of runs through MLflow's client: what
``mlflow.log_input`` and ``log_model`` record comes back in ``run.inputs`` and
``run.outputs``, and bad input is a 400 naming the field, with nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.conftest import STORE_BACKENDS
from tests.mlflow_compat.conftest import MlflowClientRunner


@pytest.mark.parametrize("mlflow_store_backend", STORE_BACKENDS, indirect=True)
def test_log_input_of_a_pandas_dataset_reads_back(mlops_mlflow: MlflowClientRunner) -> None:
    out = mlops_mlflow.run(
        """
        import json
        import pandas as pd
        import mlflow
        from mlflow import MlflowClient
        from mlflow.entities import DatasetInput, InputTag
        mlflow.set_experiment("inputs")
        df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "label": [0, 1, 0]})
        train = mlflow.data.from_pandas(df, name="toy-train", source="/data/toy.csv",
                                        targets="label")
        test = mlflow.data.from_pandas(df.head(2), name="toy-test")
        with mlflow.start_run() as run:
            mlflow.log_input(train, context="training")
            mlflow.log_input(test, context="eval", tags={"fold": "1"})
        # A finished run still takes inputs, as on MLflow's server.
        later = mlflow.data.from_pandas(df.tail(1), name="toy-holdout")
        MlflowClient().log_inputs(run.info.run_id, [DatasetInput(
            later._to_mlflow_entity(), [InputTag("mlflow.data.context", "holdout")])])
        r = MlflowClient().get_run(run.info.run_id)
        found = mlflow.search_runs(experiment_names=["inputs"], output_format="list")
        inputs = r.inputs.dataset_inputs
        result({
            "datasets": [[d.dataset.name, d.dataset.digest, d.dataset.source_type,
                          {t.key: t.value for t in d.tags}] for d in inputs],
            "expected_digests": [train.digest, test.digest, later.digest],
            "schema": json.loads(inputs[0].dataset.schema),
            "profile": json.loads(inputs[0].dataset.profile),
            "source": mlflow.data.get_source(inputs[0]).to_dict(),
            "searched": [len(x.inputs.dataset_inputs) for x in found],
            "model_inputs": len(r.inputs.model_inputs),
        })
        """
    )
    assert out["datasets"] == [
        ["toy-train", out["expected_digests"][0], "local", {"mlflow.data.context": "training"}],
        [
            "toy-test",
            out["expected_digests"][1],
            "code",
            {"mlflow.data.context": "eval", "fold": "1"},
        ],
        ["toy-holdout", out["expected_digests"][2], "code", {"mlflow.data.context": "holdout"}],
    ]
    assert [c["name"] for c in out["schema"]["mlflow_colspec"]] == ["x", "label"]
    assert out["profile"]["num_rows"] == 3
    assert out["source"]["uri"].endswith("toy.csv")
    assert out["searched"] == [3]
    assert out["model_inputs"] == 0


def test_log_model_makes_a_model_output_and_its_use_a_model_input(
    mlops_mlflow: MlflowClientRunner,
) -> None:
    out = mlops_mlflow.run(
        """
        import mlflow
        from mlflow import MlflowClient
        from mlflow.entities import LoggedModelInput
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression
        mlflow.set_experiment("outputs")
        X, y = load_iris(return_X_y=True)
        with mlflow.start_run() as producer:
            info = mlflow.sklearn.log_model(LogisticRegression(max_iter=300).fit(X, y),
                                            name="clf", pip_requirements=["scikit-learn"])
        with mlflow.start_run() as consumer:
            MlflowClient().log_inputs(consumer.info.run_id,
                                      models=[LoggedModelInput(info.model_id)])
        c = MlflowClient()
        made = c.get_run(producer.info.run_id)
        used = c.get_run(consumer.info.run_id)
        result({
            "model_id": info.model_id,
            "outputs": [[o.model_id, o.step] for o in made.outputs.model_outputs],
            "used": [m.model_id for m in used.inputs.model_inputs],
            "used_outputs": len(used.outputs.model_outputs),
        })
        """
    )
    assert out["outputs"] == [[out["model_id"], 0]]
    assert out["used"] == [out["model_id"]]
    assert out["used_outputs"] == 0


def _dataset(**overrides: Any) -> dict[str, Any]:
    dataset = {"name": "d", "digest": "abcd", "source_type": "local", "source": "{}"}
    dataset.update(overrides)
    return {k: v for k, v in dataset.items() if v is not None}


@pytest.mark.parametrize(
    ("datasets", "models", "field"),
    [
        ([{"dataset": _dataset(name=None)}], [], "datasets[0].dataset.name"),
        (
            [{"dataset": _dataset()}, {"dataset": _dataset(digest="d" * 37)}],
            [],
            "datasets[1].dataset.digest",
        ),
        (
            [{"dataset": _dataset(), "tags": [{"key": "mlflow.data.context", "value": "v" * 501}]}],
            [],
            "datasets[0].tags.mlflow.data.context",
        ),
        ([{"tags": []}], [], "datasets[0].dataset"),
        ([{"dataset": _dataset(name=7)}], [], "datasets[0].dataset.name"),
        ([{"dataset": _dataset()}], [{"model_id": "m-nope"}], "models[0].model_id"),
    ],
)
def test_bad_inputs_are_refused_naming_the_field(
    mlops_mlflow: MlflowClientRunner, datasets: Any, models: Any, field: str
) -> None:
    server = mlops_mlflow.server
    api = mlops_mlflow.tracking_uri + "/api/2.0/mlflow/"
    created = requests.post(api + "runs/create", json={}, headers=server.headers, timeout=10)
    run_id = created.json()["run"]["info"]["run_id"]

    response = requests.post(
        api + "runs/log-inputs",
        json={"run_id": run_id, "datasets": datasets, "models": models},
        headers=server.headers,
        timeout=10,
    )

    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert field in response.json()["message"]
    # Nothing of the refused request was stored: after a good one, only that one is there.
    good = {"dataset": _dataset(name="ok")}
    logged = requests.post(
        api + "runs/log-inputs", json={"run_id": run_id, "datasets": [good]}, headers=server.headers
    )
    assert logged.status_code == 200, logged.text
    run = requests.get(api + "runs/get", params={"run_id": run_id}, headers=server.headers)
    stored = run.json()["run"]["inputs"]
    assert [d["dataset"]["name"] for d in stored["dataset_inputs"]] == ["ok"]
    assert "model_inputs" not in stored


def test_search_datasets_for_mlflows_ui(mlops_mlflow: MlflowClientRunner) -> None:
    server = mlops_mlflow.server
    api = mlops_mlflow.tracking_uri + "/ajax-api/2.0/mlflow/"
    experiment = requests.post(
        api + "experiments/create", json={"name": "datasets-ui"}, headers=server.headers
    ).json()["experiment_id"]
    run_id = requests.post(
        api + "runs/create", json={"experiment_id": experiment}, headers=server.headers
    ).json()["run"]["info"]["run_id"]
    logged = requests.post(
        api + "runs/log-inputs",
        json={
            "run_id": run_id,
            "datasets": [
                {"dataset": _dataset(), "tags": [{"key": "mlflow.data.context", "value": "train"}]},
                {"dataset": _dataset(name="e")},
            ],
        },
        headers=server.headers,
    )
    assert logged.status_code == 200, logged.text

    found = requests.post(
        api + "experiments/search-datasets",
        json={"experiment_ids": [experiment]},
        headers=server.headers,
    )

    assert found.json() == {
        "dataset_summaries": [
            {"experiment_id": experiment, "name": "d", "digest": "abcd", "context": "train"},
            {"experiment_id": experiment, "name": "e", "digest": "abcd"},
        ]
    }
