"""`mlops.log_model` as an MLflow 3 logged model (and a registered version), and
`mlops.load_model` back by every URI form: on the store directly and through a real
jupyter server over REST."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.errors import InvalidParameter, NotFound


@pytest.fixture(params=["sqlite", "rest"])
def mlops_tracking_uri(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The fluent API on a fresh SQLite store, or on the session's live jupyter server."""
    if request.param == "sqlite":
        yield request.getfixturevalue("mlops_local_tracking")
        return
    server = request.getfixturevalue("mlops_server")
    request.getfixturevalue("mlops_local_tracking")  # for its reset of the fluent state
    monkeypatch.setenv("JUPYTER_MLOPS_TRACKING_URI", server.url)
    monkeypatch.setenv("JUPYTER_MLOPS_TOKEN", server.token)
    yield server.url


def _unique(label: str) -> str:
    import uuid

    return f"{label}-{uuid.uuid4().hex[:8]}"  # the REST server is shared by the session


def test_log_register_and_load_by_every_uri(
    mlops_tracking_uri: str,
    mlops_classifier: Any,
    mlops_iris_frame: pd.DataFrame,
    tmp_path: Path,
) -> None:
    features = mlops_iris_frame[["sepal", "petals"]]
    expected = mlops_classifier.predict(features)
    name = _unique("iris")
    with mlops.start_run(experiment=_unique("packaging")) as run:
        info = mlops.log_model(
            mlops_classifier,
            "classifier",
            input_example=features.head(2),
            registered_model_name=name,
        )
    assert info.model_id is not None and re.fullmatch(r"m-[0-9a-f]{32}", info.model_id)
    assert info.model_uri == f"models:/{info.model_id}"
    assert info.run_id == run.run_id
    assert info.registered_model_version == "1"
    assert set(info.flavors) == {"sklearn", "python_function"}

    client = mlops.MlopsClient(mlops_tracking_uri)
    try:
        logged = client.get_logged_model(info.model_id)
        assert logged.status == "READY"
        assert logged.source_run_id == run.run_id
        assert logged.name == "classifier"
        assert logged.model_type == "sklearn"
        version = client.get_model_version(name, "1")
        assert version.source == info.model_uri
        assert version.model_id == info.model_id
        assert version.run_id == run.run_id
        client.set_registered_model_alias(name, "champion", "1")
    finally:
        client.close()

    uris = [
        info.model_uri,
        f"models:/{name}/1",
        f"models:/{name}@champion",
        f"models:/{name}/latest",
        f"runs:/{run.run_id}/classifier",  # MLflow 3: the run's logged model of that name
    ]
    for index, uri in enumerate(uris):
        model = mlops.load_model(uri, dst_path=tmp_path / str(index))
        assert model.metadata.model_id == info.model_id, uri
        assert model.metadata.run_id == run.run_id
        np.testing.assert_array_equal(model.predict(features), expected)
    for name_in_folder in ("MLmodel", "model.pkl", "requirements.txt", "input_example.json"):
        assert (tmp_path / "0" / name_in_folder).is_file()


def test_missing_models_and_bad_names(mlops_local_tracking: str, mlops_classifier: Any) -> None:
    with mlops.start_run() as run:
        for name in ("../escape", "/abs", "", "two/levels"):
            with pytest.raises(InvalidParameter) as caught:
                mlops.log_model(mlops_classifier, name)
            assert caught.value.field == "name"
        with pytest.raises(InvalidParameter) as misplaced:
            mlops.log_model(mlops_classifier, "m", artifacts={"a": "x"})
        assert misplaced.value.field == "artifacts"
    client = mlops.MlopsClient(mlops_local_tracking)
    try:  # refused before anything was created
        assert client.search_logged_models([run.info.experiment_id]).items == []
    finally:
        client.close()
    with pytest.raises(NotFound) as missing:
        mlops.load_model(f"runs:/{run.run_id}/not-there")
    assert missing.value.field == "model_uri"
    with pytest.raises(NotFound):
        mlops.load_model("models:/no-such-model@champion")
    with pytest.raises(NotFound):
        mlops.load_model("models:/m-" + "0" * 32)


def test_a_failed_upload_marks_the_logged_model_failed(
    mlops_local_tracking: str, tmp_path: Path
) -> None:
    class Unpicklable:
        def predict(self, data: Any) -> Any:
            return data

        def __reduce__(self) -> Any:
            raise TypeError("cannot pickle this model")

    with mlops.start_run() as run, pytest.raises(TypeError, match="cannot pickle"):
        mlops.log_model(Unpicklable(), "model")
    client = mlops.MlopsClient(mlops_local_tracking)
    try:
        (logged,) = client.search_logged_models([run.info.experiment_id]).items
        assert logged.status == "FAILED"
        assert "cannot pickle this model" in logged.status_message
    finally:
        client.close()
