"""The registry's native REST API against a real jupyter server, every response checked
against the OpenAPI document: the model lifecycle, aliases, search and paging, hostile
sources, permissions of several users, and logged models."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
from server_support import ApiCall, TokenUsers, as_user
from test_registry_service import HOSTILE_SOURCES

ALICE, BOB, ROOT = as_user("alice"), as_user("bob"), as_user("root")


@pytest.fixture
def mlops_identity_config() -> dict[str, Any]:
    return {"identity_provider_class": TokenUsers}


@pytest.fixture
def mlops_extension_config() -> dict[str, Any]:
    return {"admin_users": {"root"}}


async def create_run(api: ApiCall, headers: dict[str, str]) -> dict[str, Any]:
    response = await api("POST", "runs", json={"experiment_id": "0"}, headers=headers)
    assert response.status == 201, response.body
    run: dict[str, Any] = response.json()["run"]
    return run


async def _model_with_versions(api: ApiCall, name: str, count: int) -> str:
    run = await create_run(api, headers=ALICE)
    response = await api("POST", "registered-models", json={"name": name}, headers=ALICE)
    assert response.status == 201, response.body
    for _ in range(count):
        response = await api(
            "POST",
            f"registered-models/{name}/versions",
            json={"source": f"runs:/{run['info']['run_id']}/model"},
            headers=ALICE,
        )
        assert response.status == 201, response.body
    run_id: str = run["info"]["run_id"]
    return run_id


async def test_model_lifecycle(mlops_api: ApiCall) -> None:
    run_id = await _model_with_versions(mlops_api, "churn", 0)
    created = await mlops_api(
        "POST",
        "registered-models",
        json={"name": "churn"},
        headers=BOB,
    )
    assert created.status == 409
    assert created.error["code"] == "RESOURCE_ALREADY_EXISTS"

    version = await mlops_api(
        "POST",
        "registered-models/churn/versions",
        json={"source": f"runs:/{run_id}/model", "description": "v1", "tags": {"k": "v"}},
        headers=ALICE,
    )
    assert version.status == 201
    body = version.json()["model_version"]
    assert (body["version"], body["status"], body["run_id"]) == ("1", "READY", run_id)
    assert body["storage_location"] == f"0/{run_id}/artifacts/model"

    assert (
        await mlops_api(
            "PUT", "registered-models/churn/tags/team", json={"value": "ds"}, headers=ALICE
        )
    ).status == 204
    patched = await mlops_api(
        "PATCH", "registered-models/churn", json={"description": "churn model"}, headers=ALICE
    )
    assert patched.json()["registered_model"]["description"] == "churn model"
    staged = await mlops_api(
        "PATCH",
        "registered-models/churn/versions/1",
        json={"stage": "production", "description": "best"},
        headers=ALICE,
    )
    assert staged.json()["model_version"]["current_stage"] == "Production"
    assert staged.json()["model_version"]["description"] == "best"
    latest = await mlops_api(
        "GET", "registered-models/churn/versions", params={"stage": "Production"}, headers=BOB
    )
    assert [v["version"] for v in latest.json()["model_versions"]] == ["1"]

    got = await mlops_api("GET", "registered-models/churn", headers=BOB)
    model = got.json()["registered_model"]
    assert model["owner"] == "alice" and model["tags"] == {"team": "ds"}
    assert [v["version"] for v in model["latest_versions"]] == ["1"]

    renamed = await mlops_api(
        "PATCH", "registered-models/churn", json={"name": "churn2"}, headers=ALICE
    )
    assert renamed.json()["registered_model"]["name"] == "churn2"
    assert (await mlops_api("GET", "registered-models/churn", headers=ALICE)).status == 404
    assert (
        await mlops_api("DELETE", "registered-models/churn2/versions/1", headers=ALICE)
    ).status == 204
    assert (await mlops_api("DELETE", "registered-models/churn2", headers=ALICE)).status == 204
    assert (await mlops_api("GET", "registered-models/churn2", headers=ALICE)).status == 404


async def test_aliases_move_and_resolve(mlops_api: ApiCall) -> None:
    await _model_with_versions(mlops_api, "m", 2)
    first = await mlops_api(
        "PUT", "registered-models/m/aliases/champion", json={"version": "1"}, headers=ALICE
    )
    assert first.json()["model_version"]["version"] == "1"
    moved = await mlops_api(
        "PUT", "registered-models/m/aliases/champion", json={"version": 2}, headers=ALICE
    )
    assert moved.json()["model_version"]["aliases"] == ["champion"]
    got = await mlops_api("GET", "registered-models/m/aliases/champion", headers=BOB)
    assert got.json()["model_version"]["version"] == "2"
    resolved = await mlops_api(
        "GET", "model-uris/resolve", params={"uri": "models:/m@champion"}, headers=BOB
    )
    location = resolved.json()
    assert location["model_version"]["version"] == "2"
    assert location["storage_location"].endswith("/artifacts/model")
    reserved = await mlops_api(
        "PUT", "registered-models/m/aliases/latest", json={"version": "1"}, headers=ALICE
    )
    assert reserved.status == 400 and reserved.error["field"] == "alias"
    assert (
        await mlops_api("DELETE", "registered-models/m/versions/2", headers=ALICE)
    ).status == 204
    gone = await mlops_api("GET", "registered-models/m/aliases/champion", headers=ALICE)
    assert gone.status == 404


async def test_search_and_paging(mlops_api: ApiCall) -> None:
    run_id = await _model_with_versions(mlops_api, "alpha", 3)
    await _model_with_versions(mlops_api, "beta", 1)
    found = await mlops_api(
        "GET", "registered-models", params={"filter": "name LIKE 'al%'"}, headers=BOB
    )
    assert [m["name"] for m in found.json()["registered_models"]] == ["alpha"]

    seen, token = [], None
    while True:
        params: list[tuple[str, Any]] = [
            ("filter", f"run_id = '{run_id}' AND name = 'alpha'"),
            ("order_by", "version_number ASC"),
            ("max_results", 2),
        ]
        if token:
            params.append(("page_token", token))
        page = (await mlops_api("GET", "model-versions/search", params=params, headers=BOB)).json()
        seen += [v["version"] for v in page["model_versions"]]
        token = page["next_page_token"]
        if token is None:
            break
    assert seen == ["1", "2", "3"]
    listed = await mlops_api(
        "GET", "registered-models/alpha/versions", params={"max_results": 2}, headers=BOB
    )
    assert [v["version"] for v in listed.json()["model_versions"]] == ["3", "2"]

    bad = await mlops_api(
        "GET", "model-versions/search", params={"filter": "runid = 'x'"}, headers=BOB
    )
    assert bad.status == 400 and bad.error["field"] == "filter"
    bad = await mlops_api("GET", "registered-models", params={"max_results": 0}, headers=BOB)
    assert bad.status == 400 and bad.error["field"] == "max_results"


async def test_hostile_sources_are_400_source(mlops_api: ApiCall) -> None:
    """The table of tests/registry/test_registry_service.py, through REST (one server for
    all rows: starting one per row would cost more than the checks)."""
    await mlops_api("POST", "registered-models", json={"name": "m"}, headers=ALICE)
    for source in HOSTILE_SOURCES:
        response = await mlops_api(
            "POST", "registered-models/m/versions", json={"source": source}, headers=ALICE
        )
        assert response.status == 400, (source, response.body)
        assert response.error["field"] == "source", source
    listed = await mlops_api("GET", "registered-models/m/versions", headers=ALICE)
    assert listed.json()["model_versions"] == []


async def test_only_owner_or_admin_change_a_model(mlops_api: ApiCall) -> None:
    run_id = await _model_with_versions(mlops_api, "m", 1)
    attempts = [
        ("POST", "registered-models/m/versions", {"source": f"runs:/{run_id}/model"}),
        ("PATCH", "registered-models/m", {"description": "x"}),
        ("PUT", "registered-models/m/tags/k", {"value": "v"}),
        ("PATCH", "registered-models/m/versions/1", {"stage": "Production"}),
        ("PUT", "registered-models/m/versions/1/tags/k", {"value": "v"}),
        ("PUT", "registered-models/m/aliases/prod", {"version": "1"}),
        ("DELETE", "registered-models/m/versions/1", None),
        ("DELETE", "registered-models/m", None),
    ]
    for method, path, body in attempts:
        response = await mlops_api(method, path, json=body, headers=BOB)
        assert response.status == 403, (method, path, response.body)
        assert response.error["code"] == "PERMISSION_DENIED"
    assert (await mlops_api("GET", "registered-models/m/versions/1", headers=BOB)).status == 200
    assert (await mlops_api("DELETE", "registered-models/m", headers=ROOT)).status == 204
    unauthenticated = await mlops_api("GET", "registered-models", auth=False)
    assert unauthenticated.status == 403


async def test_bad_input_names_the_field(mlops_api: ApiCall) -> None:
    cases = [
        ("POST", "registered-models", {"name": ""}, "name"),
        ("POST", "registered-models", {"name": "x", "colour": "red"}, "colour"),
        ("POST", "registered-models", {}, "name"),
        ("GET", "registered-models/m/versions/abc", None, "version"),
        ("GET", "logged-models/" + urllib.parse.quote("a b", safe=""), None, "model_id"),
        ("GET", "model-uris/resolve", None, "uri"),
    ]
    for method, path, body, field in cases:
        response = await mlops_api(method, path, json=body, headers=ALICE)
        assert response.status == 400, (path, response.body)
        assert response.error["field"] == field
    quoted = urllib.parse.quote("a b", safe="")
    missing = await mlops_api("GET", f"registered-models/{quoted}", headers=ALICE)
    assert missing.status == 404
    # An id MLflow could have made but no model of ours has: unknown, not malformed.
    unknown = await mlops_api("GET", "logged-models/nope", headers=ALICE)
    assert unknown.status == 404 and unknown.error["code"] == "RESOURCE_DOES_NOT_EXIST"


async def test_logged_models(mlops_api: ApiCall) -> None:
    run = await create_run(mlops_api, headers=ALICE)
    created = await mlops_api(
        "POST",
        "experiments/0/logged-models",
        json={"name": "model", "source_run_id": run["info"]["run_id"], "params": {"lr": "0.1"}},
        headers=ALICE,
    )
    assert created.status == 201, created.body
    logged = created.json()["logged_model"]
    model_id = logged["model_id"]
    assert logged["status"] == "PENDING"
    assert logged["artifact_location"] == f"0/models/{model_id}/artifacts"
    assert (
        await mlops_api(
            "PUT", f"logged-models/{model_id}/tags/k", json={"value": "v"}, headers=ALICE
        )
    ).status == 204
    assert (
        await mlops_api(
            "POST", f"logged-models/{model_id}/params", json={"params": {"d": "3"}}, headers=ALICE
        )
    ).status == 204
    refused = await mlops_api(
        "PATCH", f"logged-models/{model_id}", json={"status": "READY"}, headers=BOB
    )
    assert refused.status == 403
    ready = await mlops_api(
        "PATCH", f"logged-models/{model_id}", json={"status": "READY"}, headers=ALICE
    )
    assert ready.json()["logged_model"]["status"] == "READY"
    page = await mlops_api(
        "GET", "experiments/0/logged-models", params={"filter": "params.d = '3'"}, headers=BOB
    )
    assert [m["model_id"] for m in page.json()["logged_models"]] == [model_id]

    await mlops_api("POST", "registered-models", json={"name": "reg"}, headers=ALICE)
    version = await mlops_api(
        "POST",
        "registered-models/reg/versions",
        json={"source": f"models:/{model_id}"},
        headers=ALICE,
    )
    assert version.json()["model_version"]["model_id"] == model_id
    assert version.json()["model_version"]["storage_location"] == logged["artifact_location"]
    assert (await mlops_api("DELETE", f"logged-models/{model_id}", headers=ALICE)).status == 204
    assert (await mlops_api("GET", f"logged-models/{model_id}", headers=ALICE)).status == 404
