"""The client's registry methods over both transports: the direct SQLite store and a
real jupyter server over REST (the session's ``mlops_server``), with the same results
and the same errors."""

from __future__ import annotations

import uuid

import pytest

from jupyter_mlops.client.client import MlopsClient
from jupyter_mlops.errors import AlreadyExists, InvalidParameter, NotFound


def test_register_alias_and_resolve(mlops_registry_client: MlopsClient) -> None:
    client = mlops_registry_client
    name = f"churn-{uuid.uuid4().hex[:8]}"  # the live server is shared by the session
    run = client.create_run("0")
    run_id = run.info.run_id
    model = client.create_registered_model(name, "predicts churn", tags={"team": "ds"})
    assert (model.name, model.description, model.tags) == (name, "predicts churn", {"team": "ds"})
    with pytest.raises(AlreadyExists):
        client.create_registered_model(name)
    first = client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
    second = client.create_model_version(name, f"runs:/{run_id}/model2", tags={"n": 2})
    assert (first.version, second.version) == ("1", "2")
    assert second.tags == {"n": "2"}
    assert first.storage_location == f"{run.info.artifact_uri}/model"

    client.set_registered_model_alias(name, "champion", 1)
    client.set_registered_model_alias(name, "champion", "2")
    assert client.get_model_version_by_alias(name, "champion").version == "2"
    assert client.resolve_model_uri(f"models:/{name}@champion") == (
        f"{run.info.artifact_uri}/model2"
    )
    assert client.resolve_model_uri(f"models:/{name}/1") == f"{run.info.artifact_uri}/model"
    location = client.locate_model_uri(f"runs:/{run_id}/model")
    assert (location.storage_location, location.run_id) == (
        f"{run.info.artifact_uri}/model",
        run_id,
    )

    client.set_model_version_tag(name, 1, "validated", "yes")
    assert client.get_model_version(name, 1).tags == {"validated": "yes"}
    staged = client.transition_model_version_stage(name, 1, "Production")
    assert staged.current_stage == "Production"
    assert [v.version for v in client.get_latest_versions(name, ["Production"])] == ["1"]
    found = client.search_model_versions(f"name = '{name}'", order_by=["version_number"])
    assert [v.version for v in found.items] == ["1", "2"]
    models = client.search_registered_models(f"name = '{name}'")
    assert [m.aliases for m in models.items] == [{"champion": "2"}]

    with pytest.raises(InvalidParameter) as error:
        client.create_model_version(name, "file:///etc/passwd")
    assert error.value.field == "source"
    client.delete_model_version(name, 2)
    with pytest.raises(NotFound):
        client.get_model_version_by_alias(name, "champion")
    client.delete_registered_model(name)
    with pytest.raises(NotFound):
        client.get_registered_model(name)


def test_logged_models(mlops_registry_client: MlopsClient) -> None:
    client = mlops_registry_client
    run_id = client.create_run("0").info.run_id
    logged = client.create_logged_model("0", "model", source_run_id=run_id, params={"lr": 0.1})
    assert logged.status == "PENDING" and logged.params == {"lr": "0.1"}
    client.set_logged_model_tags(logged.model_id, {"flavor": "sklearn"})
    client.log_logged_model_params(logged.model_id, {"depth": 3})
    ready = client.finalize_logged_model(logged.model_id, "READY")
    assert ready.status == "READY"
    again = client.get_logged_model(logged.model_id)
    assert again.tags == {"flavor": "sklearn"} and again.params == {"lr": "0.1", "depth": "3"}
    page = client.search_logged_models(["0"], f"model_id = '{logged.model_id}'")
    assert [m.model_id for m in page.items] == [logged.model_id]

    name = f"reg-{uuid.uuid4().hex[:8]}"
    client.create_registered_model(name)
    version = client.create_model_version(name, f"models:/{logged.model_id}")
    assert (version.model_id, version.run_id) == (logged.model_id, run_id)
    assert client.resolve_model_uri(f"models:/{logged.model_id}") == logged.artifact_location
    client.delete_logged_model(logged.model_id)
    with pytest.raises(NotFound):
        client.get_logged_model(logged.model_id)
