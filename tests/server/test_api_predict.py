"""POST mlops/api/models/{name}/predict through a real jupyter server: a registered
scikit-learn model answers by alias, by version and by default (the newest), every
response checked against the OpenAPI document; bad payloads get a 400 that spells out
the mismatch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from server_support import ApiCall, create_run

from jupyter_mlops.models import save_model
from jupyter_mlops.server.handlers.base import SETTING_REGISTRY_SERVICE
from jupyter_mlops.server.handlers.predict import SETTING_MODEL_CACHE

FEATURES = pd.DataFrame({"sepal": [4.0, 5.5, 6.5, 7.0], "petals": [0, 1, 3, 4]})


def _classifier(flip: bool) -> Any:
    from sklearn.linear_model import LogisticRegression

    labels = np.array([0, 0, 1, 1]) if not flip else np.array([1, 1, 0, 0])
    return LogisticRegression().fit(FEATURES, labels)


async def _log_model(api: ApiCall, tmp_path: Path, model: Any, label: str) -> str:
    """A run holding ``model`` under ``model/`` (uploaded over the REST API)."""
    run = await create_run(api)
    run_id = run["info"]["run_id"]
    folder = tmp_path / label
    save_model(model, folder, input_example=FEATURES.head(2))
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            relative = path.relative_to(folder).as_posix()
            response = await api(
                "PUT", f"runs/{run_id}/artifacts/model/{relative}", body=path.read_bytes()
            )
            assert response.status == 201, response.body
    return run_id


async def register_iris(jp_serverapp: Any, mlops_api: ApiCall, tmp_path: Path) -> dict[str, Any]:
    """Model "iris": version 1 (champion) and version 2 (its predictions flipped).

    Registered through the server's own registry service (the same object its handlers
    use); the model files go in over the REST API."""
    registry = jp_serverapp.web_app.settings[SETTING_REGISTRY_SERVICE]
    registry.create_registered_model("owner", "iris")
    for flip in (False, True):
        run_id = await _log_model(mlops_api, tmp_path, _classifier(flip), f"v{int(flip)}")
        registry.create_model_version("owner", "iris", f"runs:/{run_id}/model", run_id=run_id)
    registry.set_registered_model_alias("owner", "iris", "champion", "1")
    return {"settings": jp_serverapp.web_app.settings}


async def test_predict_by_alias_version_and_latest(
    jp_serverapp: Any, mlops_api: ApiCall, tmp_path: Path
) -> None:
    registered = await register_iris(jp_serverapp, mlops_api, tmp_path)
    expected = _classifier(False).predict(FEATURES).tolist()
    flipped = _classifier(True).predict(FEATURES).tolist()
    split = {"dataframe_split": FEATURES.to_dict(orient="split", index=False)}
    cases = [
        ({"alias": "champion"}, "1", expected),
        ({"version": "2"}, "2", flipped),
        ({}, "2", flipped),
    ]
    for params, version, predictions in cases:
        response = await mlops_api("POST", "models/iris/predict", params=params, json=split)
        assert response.status == 200, response.body
        assert response.json() == {
            "predictions": predictions,
            "model": {"name": "iris", "version": version},
        }
    records = await mlops_api(
        "POST",
        "models/iris/predict",
        params={"alias": "champion"},
        json={"dataframe_records": FEATURES.to_dict("records")},
    )
    assert records.json()["predictions"] == expected
    csv = await mlops_api(
        "POST",
        "models/iris/predict",
        params={"version": "1"},
        body=FEATURES.to_csv(index=False).encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert csv.status == 200, csv.body
    assert csv.json()["predictions"] == expected
    # each version was loaded once and kept
    cache = registered["settings"][SETTING_MODEL_CACHE]
    assert len([key for key in cache._models if key[0] == "iris"]) == 2


@pytest.mark.parametrize(
    ("params", "payload", "status", "field", "words"),
    [
        (
            {"alias": "champion"},
            {"dataframe_records": [{"sepal": "tall", "petals": 1}]},
            400,
            "input",
            "column 'sepal': expected double",
        ),
        (
            {"alias": "champion"},
            {"dataframe_split": {"columns": ["sepal"], "data": [[1.0]]}},
            400,
            "input",
            "column 'petals' (long) is missing",
        ),
        ({"alias": "champion"}, {"rows": [1]}, 400, "body", "exactly one of dataframe_split"),
        ({"alias": "champion", "version": "1"}, {"inputs": [[1.0, 2]]}, 400, "alias", "not both"),
        ({"alias": "nobody"}, {"inputs": [[1.0, 2]]}, 404, None, ""),
        ({"version": "9"}, {"inputs": [[1.0, 2]]}, 404, None, ""),
    ],
)
async def test_bad_requests_name_what_to_fix(
    jp_serverapp: Any,
    mlops_api: ApiCall,
    tmp_path: Path,
    params: dict[str, str],
    payload: Any,
    status: int,
    field: str | None,
    words: str,
) -> None:
    await register_iris(jp_serverapp, mlops_api, tmp_path)
    response = await mlops_api("POST", "models/iris/predict", params=params, json=payload)
    assert response.status == status, response.body
    if field is not None:
        assert response.error["field"] == field
    assert words in response.error["message"]


async def test_unknown_model_and_content_type(
    jp_serverapp: Any, mlops_api: ApiCall, tmp_path: Path
) -> None:
    await register_iris(jp_serverapp, mlops_api, tmp_path)
    missing = await mlops_api("POST", "models/nothing/predict", json={"inputs": [[1.0, 2]]})
    assert missing.status == 404
    text = await mlops_api(
        "POST",
        "models/iris/predict",
        body=b"sepal petals",
        headers={"Content-Type": "text/plain"},
    )
    assert text.status == 415
    assert text.error["field"] == "Content-Type"


async def test_predict_needs_authentication(mlops_api: ApiCall) -> None:
    response = await mlops_api("POST", "models/iris/predict", json={"inputs": []}, auth=False)
    assert response.status == 403
