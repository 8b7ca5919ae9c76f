"""Model files travel through the client's public API only: a logged model's own folder
(``*_logged_model_artifact(s)``) or a run's artifact folder, over REST and on the store;
and nothing in ``jupyter_mlops/models`` reaches into another object's private parts."""

from __future__ import annotations

import ast
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import jupyter_mlops as mlops
from jupyter_mlops.client.client import MlopsClient
from jupyter_mlops.errors import NotFound
from jupyter_mlops.models import save_model

MODELS_PACKAGE = Path(mlops.__file__).parent / "models"


@pytest.fixture(params=["sqlite", "rest"])
def mlops_storage_client(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    mlops_local_tracking: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[MlopsClient]:
    """An explicit client on a fresh SQLite store, or on the session's live server; the
    fluent API is pointed at the same place."""
    if request.param == "sqlite":
        client = MlopsClient(mlops_local_tracking, artifact_root=tmp_path / "artifacts")
    else:
        server = request.getfixturevalue("mlops_server")
        monkeypatch.setenv("JUPYTER_MLOPS_TRACKING_URI", server.url)
        monkeypatch.setenv("JUPYTER_MLOPS_TOKEN", server.token)
        client = MlopsClient(server.url, server.token)
    try:
        yield client
    finally:
        client.close()


def _save_classifier(classifier: Any, frame: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """Saves the classifier in ``folder``; returns the features it predicts from."""
    features = frame[["sepal", "petals"]]
    save_model(classifier, folder, input_example=features.head(2))
    return features


def _new_experiment(client: MlopsClient) -> str:
    """A new experiment's id (named uniquely: the live server is shared by the session)."""
    return client.create_experiment(f"storage-{uuid.uuid4().hex[:8]}").experiment_id


def test_a_version_in_a_runs_artifacts_loads_into_the_destination_itself(
    mlops_storage_client: MlopsClient,
    mlops_classifier: Any,
    mlops_iris_frame: pd.DataFrame,
    tmp_path: Path,
) -> None:
    client = mlops_storage_client
    features = _save_classifier(mlops_classifier, mlops_iris_frame, tmp_path / "saved")
    run = client.create_run(_new_experiment(client))
    client.log_artifacts(run.info.run_id, tmp_path / "saved", "exported/model")
    name = f"exported-{uuid.uuid4().hex[:8]}"
    client.create_registered_model(name)
    client.create_model_version(name, f"runs:/{run.info.run_id}/exported/model")

    dst = tmp_path / "loaded"
    model = mlops.load_model(f"models:/{name}/1", dst_path=dst, client=client)
    np.testing.assert_array_equal(model.predict(features), mlops_classifier.predict(features))
    assert (dst / "MLmodel").is_file()
    assert not [p for p in dst.iterdir() if p.name.startswith(".mlops-download-")]


def test_a_logged_models_files_round_trip(
    mlops_storage_client: MlopsClient,
    mlops_classifier: Any,
    mlops_iris_frame: pd.DataFrame,
    tmp_path: Path,
) -> None:
    client = mlops_storage_client
    features = _save_classifier(mlops_classifier, mlops_iris_frame, tmp_path / "saved")
    logged = client.create_logged_model(_new_experiment(client), "model")
    client.log_logged_model_artifacts(logged.model_id, tmp_path / "saved")
    client.finalize_logged_model(logged.model_id, "READY")

    model = mlops.load_model(f"models:/{logged.model_id}", dst_path=tmp_path / "l", client=client)
    np.testing.assert_array_equal(model.predict(features), mlops_classifier.predict(features))


def test_files_that_belong_to_no_run_or_model_are_refused_by_name(
    mlops_storage_client: MlopsClient, tmp_path: Path
) -> None:
    client = mlops_storage_client
    name = f"bare-{uuid.uuid4().hex[:8]}"
    client.create_registered_model(name)
    client.create_model_version(name, "shared/models/churn")
    with pytest.raises(NotFound) as caught:
        mlops.load_model(f"models:/{name}/1", dst_path=tmp_path / "x", client=client)
    assert caught.value.field == "model_uri"


def _private_accesses(source: str) -> list[str]:
    """``obj._name`` where ``obj`` is not ``self``/``cls`` (dunders are public API)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute):
            continue
        name = node.attr
        if not name.startswith("_") or (name.startswith("__") and name.endswith("__")):
            continue
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue
        found.append(f"{ast.unparse(node)} (line {node.lineno})")
    return found


# MLflow's flavor protocol names the loader function `_load_pyfunc`; and a class may call
# its own private helper.
_ALLOWED = {"module._load_pyfunc", "PythonFunctionFlavor._predictor"}


def test_models_package_uses_no_private_attributes_of_other_objects() -> None:
    offenders = {
        str(path.relative_to(MODELS_PACKAGE)): found
        for path in sorted(MODELS_PACKAGE.rglob("*.py"))
        if (
            found := [
                f
                for f in _private_accesses(path.read_text(encoding="utf-8"))
                if f.split(" ")[0] not in _ALLOWED
            ]
        )
    }
    assert offenders == {}


def test_log_model_inside_a_run_is_that_runs_output(
    mlops_storage_client: MlopsClient, mlops_classifier: Any
) -> None:
    client = mlops_storage_client
    with mlops.start_run(experiment=f"outputs-{uuid.uuid4().hex[:8]}") as run:
        first = mlops.log_model(mlops_classifier, "first")
        second = mlops.log_model(mlops_classifier, "second")
    page = client.list_run_logged_models(run.info.run_id)
    assert [m.model_id for m in page.items] == [first.model_id, second.model_id]
    assert {m.source_run_id for m in page.items} == {run.info.run_id}
