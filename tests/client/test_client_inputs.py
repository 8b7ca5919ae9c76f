"""Run inputs from the Python client, on both transports: ``mlops.log_input`` describes
a DataFrame or array (digest, schema, profile) and the run reads it back; logged models a
run used and produced come back with it; errors are the same over REST and direct."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from client_support import Tracking

import jupyter_mlops as mlops
from jupyter_mlops.errors import InvalidParameter
from jupyter_mlops.tracking.entities import LoggedModelRef


def test_log_input_of_a_dataframe_reads_back(mlops_tracking: Tracking) -> None:
    frame = pd.DataFrame({"tenure": [1.5, 2.0, 7.25], "churned": [True, False, True]})
    with mlops.start_run(experiment=mlops_tracking.experiment_name()) as run:
        logged = mlops.log_input(
            frame, name="churn-train", source="s3://data/churn.csv", context="training"
        )
        same = mlops.log_input(frame.copy(), name="churn-train-copy")
        changed = mlops.log_input(frame.assign(tenure=[1.5, 2.0, 7.5]), name="churn-changed")

    (first, *_rest) = mlops_tracking.client.get_run(run.run_id).inputs.datasets
    assert first == logged
    assert first.context == "training"
    assert first.dataset.source_type == "s3"
    assert json.loads(first.dataset.source) == {"uri": "s3://data/churn.csv"}
    assert json.loads(first.dataset.schema or "") == {
        "mlflow_colspec": [
            {"type": "double", "name": "tenure", "required": True},
            {"type": "boolean", "name": "churned", "required": True},
        ]
    }
    assert json.loads(first.dataset.profile or "") == {"num_rows": 3, "num_elements": 6}
    # The digest follows the content: equal data, equal digest; a changed cell, another.
    assert same.dataset.digest == logged.dataset.digest
    assert changed.dataset.digest != logged.dataset.digest


def test_log_input_of_an_array_or_by_source_or_digest(mlops_tracking: Tracking) -> None:
    with mlops.start_run(experiment=mlops_tracking.experiment_name()) as run:
        array = mlops.log_input(np.zeros((4, 3), dtype="float32"), name="pixels", context="eval")
        by_source = mlops.log_input(name="remote", source="https://example.org/data.csv")
        by_digest = mlops.log_input(name="given", digest="v2", schema={"columns": ["a"]})

    datasets = mlops_tracking.client.get_run(run.run_id).inputs.datasets
    assert [d.dataset.name for d in datasets] == ["pixels", "remote", "given"]
    assert datasets == (array, by_source, by_digest)
    assert json.loads(array.dataset.schema or "")["mlflow_tensorspec"]["targets"] is None
    assert (by_source.dataset.source_type, by_source.dataset.schema) == ("http", None)
    assert (by_digest.dataset.digest, by_digest.dataset.source_type) == ("v2", "code")
    assert json.loads(by_digest.dataset.schema or "") == {"columns": ["a"]}


def test_model_inputs_and_outputs_come_back_with_the_run(mlops_tracking: Tracking) -> None:
    client = mlops_tracking.client
    experiment = client.create_experiment(mlops_tracking.experiment_name()).experiment_id
    producer = client.create_run(experiment).info.run_id
    consumer = client.create_run(experiment).info.run_id
    model = client.create_logged_model(experiment, "clf", source_run_id=producer)

    client.log_inputs(consumer, model_ids=[model.model_id])
    client.set_terminated(producer)

    assert client.get_run(producer).outputs.models == (LoggedModelRef(model.model_id, "clf"),)
    assert client.get_run(consumer).inputs.models == (LoggedModelRef(model.model_id, "clf"),)
    found = {r.info.run_id: r for r in client.search_runs([experiment]).items}
    assert found[producer].outputs.models == (LoggedModelRef(model.model_id, "clf"),)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "no-digest"}, "digest"),
        ({"name": "x", "digest": "d" * 37}, "datasets[0].dataset.digest"),
        ({"name": "", "digest": "d"}, "datasets[0].dataset.name"),
        (
            {"name": "x", "digest": "d", "context": "c" * 501},
            "datasets[0].tags.mlflow.data.context",
        ),
        ({"name": "x", "data": [1, 2, 3]}, "data"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    mlops_tracking: Tracking, kwargs: dict[str, object], field: str
) -> None:
    client = mlops_tracking.client
    run_id = client.create_run("0").info.run_id
    with pytest.raises(InvalidParameter) as raised:
        client.log_input(run_id, **kwargs)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert client.get_run(run_id).inputs.datasets == ()
