"""Experiments over REST: the happy paths and the main refusals."""

from __future__ import annotations

from server_support import ApiCall, create_experiment, create_run


async def test_create_then_read_an_experiment(mlops_api: ApiCall) -> None:
    created = await create_experiment(
        mlops_api, "churn", description="monthly churn", tags={"team": "growth"}
    )
    assert created["name"] == "churn"
    assert created["owner"] == "owner"  # MlopsExtension.default_user in these tests
    assert created["lifecycle_stage"] == "active"
    assert created["tags"] == {"team": "growth"}

    response = await mlops_api("GET", f"experiments/{created['experiment_id']}")
    assert response.status == 200
    assert response.json() == {"experiment": created}


async def test_list_pages_through_experiments_newest_first(mlops_api: ApiCall) -> None:
    for name in ("a", "b", "c"):
        await create_experiment(mlops_api, name)

    first = await mlops_api("GET", "experiments", params={"max_results": 2})
    assert first.status == 200
    page = first.json()
    assert [e["name"] for e in page["experiments"]] == ["c", "b"]
    assert page["next_page_token"]

    second = await mlops_api(
        "GET", "experiments", params={"max_results": 2, "page_token": page["next_page_token"]}
    )
    names = [e["name"] for e in second.json()["experiments"]]
    assert names == ["a", "Default"]
    assert second.json()["next_page_token"] is None


async def test_find_an_experiment_by_exact_name(mlops_api: ApiCall) -> None:
    created = await create_experiment(mlops_api, "exact")
    await create_experiment(mlops_api, "exactly-not")

    found = await mlops_api("GET", "experiments", params={"name": "exact"})
    assert found.json() == {"experiments": [created], "next_page_token": None}

    missing = await mlops_api("GET", "experiments", params={"name": "nope"})
    assert missing.json() == {"experiments": [], "next_page_token": None}


async def test_name_like_filters_case_insensitively(mlops_api: ApiCall) -> None:
    await create_experiment(mlops_api, "Churn-2024")
    await create_experiment(mlops_api, "pricing")

    response = await mlops_api("GET", "experiments", params={"name_like": "churn%"})
    assert [e["name"] for e in response.json()["experiments"]] == ["Churn-2024"]


async def test_rename_redescribe_and_tag(mlops_api: ApiCall) -> None:
    created = await create_experiment(mlops_api, "old", tags={"keep": "1"})
    eid = created["experiment_id"]

    response = await mlops_api(
        "PATCH",
        f"experiments/{eid}",
        json={"name": "new", "description": "better", "tags": {"stage": "prod"}},
    )
    assert response.status == 200
    experiment = response.json()["experiment"]
    assert experiment["name"] == "new"
    assert experiment["description"] == "better"
    assert experiment["tags"] == {"keep": "1", "stage": "prod"}

    untag = await mlops_api("DELETE", f"experiments/{eid}/tags/keep")
    assert untag.status == 204
    again = await mlops_api("GET", f"experiments/{eid}")
    assert again.json()["experiment"]["tags"] == {"stage": "prod"}


async def test_tag_keys_with_slashes_are_addressed_by_the_rest_of_the_path(
    mlops_api: ApiCall,
) -> None:
    created = await create_experiment(mlops_api, "slashes", tags={"team/owner": "x", "a": "b"})
    eid = created["experiment_id"]

    literal = await mlops_api("DELETE", f"experiments/{eid}/tags/team/owner")
    assert literal.status == 204
    await mlops_api("PATCH", f"experiments/{eid}", json={"tags": {"team/owner": "y"}})
    encoded = await mlops_api("DELETE", f"experiments/{eid}/tags/team%2Fowner")
    assert encoded.status == 204
    response = await mlops_api("GET", f"experiments/{eid}")
    assert response.json()["experiment"]["tags"] == {"a": "b"}


async def test_delete_and_restore_take_the_runs_along(mlops_api: ApiCall) -> None:
    created = await create_experiment(mlops_api, "temp")
    eid = created["experiment_id"]
    run = await create_run(mlops_api, eid)

    assert (await mlops_api("DELETE", f"experiments/{eid}")).status == 204
    deleted = await mlops_api("GET", f"experiments/{eid}")
    assert deleted.json()["experiment"]["lifecycle_stage"] == "deleted"
    listed = await mlops_api("GET", "experiments", params={"view": "DELETED_ONLY"})
    assert [e["experiment_id"] for e in listed.json()["experiments"]] == [eid]
    run_after = await mlops_api("GET", f"runs/{run['info']['run_id']}")
    assert run_after.json()["run"]["info"]["lifecycle_stage"] == "deleted"

    restored = await mlops_api("POST", f"experiments/{eid}/restore")
    assert restored.status == 200
    assert restored.json()["experiment"]["lifecycle_stage"] == "active"
    run_back = await mlops_api("GET", f"runs/{run['info']['run_id']}")
    assert run_back.json()["run"]["info"]["lifecycle_stage"] == "active"


async def test_duplicate_name_is_a_conflict(mlops_api: ApiCall) -> None:
    await create_experiment(mlops_api, "twice")
    response = await mlops_api("POST", "experiments", json={"name": "twice"})
    assert response.status == 409
    assert response.error["code"] == "RESOURCE_ALREADY_EXISTS"


async def test_unknown_experiment_is_404(mlops_api: ApiCall) -> None:
    for method, path in [
        ("GET", "experiments/999"),
        ("PATCH", "experiments/999"),
        ("DELETE", "experiments/999"),
        ("POST", "experiments/999/restore"),
        ("DELETE", "experiments/999/tags/x"),
    ]:
        body = {"name": "x"} if method == "PATCH" else None
        response = await mlops_api(method, path, json=body)
        assert response.status == 404, (method, path, response.body)
        assert response.error["code"] == "RESOURCE_DOES_NOT_EXIST"


async def test_the_default_experiment_cannot_be_deleted(mlops_api: ApiCall) -> None:
    response = await mlops_api("DELETE", "experiments/0")
    assert response.status == 409
    assert response.error["code"] == "INVALID_STATE"
    still = await mlops_api("GET", "experiments/0")
    assert still.json()["experiment"]["lifecycle_stage"] == "active"


async def test_a_deleted_experiment_cannot_be_renamed(mlops_api: ApiCall) -> None:
    created = await create_experiment(mlops_api, "gone")
    eid = created["experiment_id"]
    await mlops_api("DELETE", f"experiments/{eid}")

    response = await mlops_api("PATCH", f"experiments/{eid}", json={"name": "back"})
    assert response.status == 409
    assert response.error["code"] == "INVALID_STATE"
    assert (await mlops_api("GET", f"experiments/{eid}")).json()["experiment"]["name"] == "gone"
