"""The registry's two views (client/registry.py): each serves every ``RegistryTransport``
method (from its declared operation, or written out where the wire differs), and the
written-out ones behave alike over the direct store and over REST."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from jupyter_mlops.client.client import MlopsClient
from jupyter_mlops.client.registry import (
    RegistryTransport,
    registry_rest_view,
    registry_store_view,
)
from jupyter_mlops.client.rest_session import RestSession
from jupyter_mlops.client.rest_transport import RestTransport
from jupyter_mlops.errors import InvalidParameter
from jupyter_mlops.tracking.artifacts import LocalArtifactRepository
from jupyter_mlops.tracking.service import TrackingService
from jupyter_mlops.tracking.store.sql_store import SqlTrackingStore

METHODS = sorted(
    name
    for name, member in vars(RegistryTransport).items()
    if callable(member) and not name.startswith("_")
)


@pytest.mark.parametrize("name", METHODS)
def test_every_method_is_served_over_rest(name: str) -> None:
    session = RestSession("http://127.0.0.1:9/")  # never called: nothing is sent
    try:
        assert callable(getattr(registry_rest_view(session), name))
    finally:
        session.close()


def test_every_method_is_served_in_process(tmp_path: Path) -> None:
    store = SqlTrackingStore(f"sqlite:///{tmp_path / 'mlops.db'}")
    try:
        tracking = TrackingService(store, LocalArtifactRepository(tmp_path / "artifacts"))
        view = registry_store_view("alice", None, tracking)
        for name in METHODS:
            assert callable(getattr(view, name)), name
    finally:
        store.close()


def test_a_route_serving_two_methods_serves_both(mlops_registry_client: MlopsClient) -> None:
    """PATCH registered-models/{name} renames and re-describes; PATCH .../versions/{v}
    re-describes and moves stages; GET .../versions without a stage lists every version."""
    client = mlops_registry_client
    name = f"views-{uuid.uuid4().hex[:8]}"  # the live server is shared by the session
    run_id = client.create_run("0").info.run_id
    client.create_registered_model(name)
    client.create_model_version(name, f"runs:/{run_id}/model")
    client.create_model_version(name, f"runs:/{run_id}/model")

    described = client.update_registered_model(name, "churn")
    renamed = client.rename_registered_model(name, f"{name}-2")
    assert (described.description, renamed.name, renamed.description) == (
        "churn",
        f"{name}-2",
        "churn",
    )
    assert client.update_model_version(f"{name}-2", 1, "first").description == "first"
    client.transition_model_version_stage(f"{name}-2", 2, "Staging")
    latest = client.get_latest_versions(f"{name}-2")
    assert sorted((v.version, v.current_stage) for v in latest) == [
        ("1", "None"),
        ("2", "Staging"),
    ]
    client.delete_registered_model(f"{name}-2")


def test_a_runs_logged_models_are_listed(mlops_registry_client: MlopsClient) -> None:
    client = mlops_registry_client
    run_id = client.create_run("0").info.run_id
    logged = client.create_logged_model("0", "model", source_run_id=run_id)
    page = client.list_run_logged_models(run_id)
    assert [m.model_id for m in page.items] == [logged.model_id]
    assert client.list_logged_model_artifacts(logged.model_id) == []


def test_over_rest_a_logged_model_search_names_one_experiment(
    mlops_registry_client: MlopsClient,
) -> None:
    client = mlops_registry_client
    other = client.create_experiment(f"views-{uuid.uuid4().hex[:8]}").experiment_id
    if isinstance(client.transport, RestTransport):
        with pytest.raises(InvalidParameter) as error:
            client.search_logged_models(["0", other])
        assert error.value.field == "experiment_ids"
    else:
        logged = client.create_logged_model(other, "model")
        found = client.search_logged_models(["0", other], f"model_id = '{logged.model_id}'")
        assert [m.model_id for m in found.items] == [logged.model_id]
