"""Run inputs over the native REST API: record datasets and logged models a run used, read
them (and the models it produced) with the run and in listings; every answer is checked
against the OpenAPI document. Several users: only the run's user or an admin records."""

from __future__ import annotations

from typing import Any

import pytest
from server_support import ApiCall, TokenUsers, as_user, get_run

ALICE, BOB, ROOT = as_user("alice"), as_user("bob"), as_user("root")

TRAIN = {
    "dataset": {
        "name": "churn-train",
        "digest": "9f86d081884c7d65",
        "source_type": "s3",
        "source": '{"uri": "s3://data/churn.csv"}',
        "schema": '{"mlflow_colspec": [{"type": "double", "name": "tenure"}]}',
    },
    "context": "training",
    "tags": {"fold": "1"},
}


@pytest.fixture
def mlops_identity_config() -> dict[str, Any]:
    return {"identity_provider_class": TokenUsers}


@pytest.fixture
def mlops_extension_config() -> dict[str, Any]:
    return {"admin_users": {"root"}}


async def _alices_run(mlops_api: ApiCall) -> str:
    created = await mlops_api("POST", "runs", json={}, headers=ALICE)
    assert created.status == 201, created.body
    run_id: str = created.json()["run"]["info"]["run_id"]
    return run_id


async def _logged_model(mlops_api: ApiCall, run_id: str | None, name: str) -> str:
    body: dict[str, Any] = {"name": name}
    if run_id:
        body["source_run_id"] = run_id
    created = await mlops_api("POST", "experiments/0/logged-models", json=body, headers=ALICE)
    assert created.status == 201, created.body
    model_id: str = created.json()["logged_model"]["model_id"]
    return model_id


async def test_inputs_and_outputs_come_back_with_the_run_and_in_listings(
    mlops_api: ApiCall,
) -> None:
    producer = await _alices_run(mlops_api)
    consumer = await _alices_run(mlops_api)
    model_id = await _logged_model(mlops_api, producer, "churn-clf")

    logged = await mlops_api(
        "POST",
        f"runs/{consumer}/inputs",
        json={
            "datasets": [TRAIN, {"dataset": {"name": "churn-eval", "digest": "e1"}}],
            "models": [{"model_id": model_id}],
        },
        headers=ALICE,
    )

    assert logged.status == 204, logged.body
    run = await get_run(mlops_api, consumer, headers=BOB)
    assert run["inputs"] == {
        "datasets": [
            {
                "dataset": {**TRAIN["dataset"], "profile": None},
                "context": "training",
                "tags": {"fold": "1", "mlflow.data.context": "training"},
            },
            {
                "dataset": {
                    "name": "churn-eval",
                    "digest": "e1",
                    "source_type": "code",
                    "source": "",
                    "schema": None,
                    "profile": None,
                },
                "context": None,
                "tags": {},
            },
        ],
        "models": [{"model_id": model_id, "name": "churn-clf"}],
    }
    assert run["outputs"] == {"models": []}
    made = await get_run(mlops_api, producer, headers=BOB)
    assert made["inputs"] == {"datasets": [], "models": []}
    assert made["outputs"] == {"models": [{"model_id": model_id, "name": "churn-clf"}]}
    listing = await mlops_api("GET", "runs", params={"experiment_ids": "0"}, headers=BOB)
    by_id = {r["info"]["run_id"]: r for r in listing.json()["runs"]}
    assert by_id[consumer]["inputs"] == run["inputs"]
    assert by_id[producer]["outputs"] == made["outputs"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"datasets": [{"dataset": {"digest": "x"}}]}, "datasets[0].dataset.name"),
        (
            {"datasets": [{"dataset": {"name": "n", "digest": "d" * 37}}]},
            "datasets[0].dataset.digest",
        ),
        ({"datasets": [{"name": "n", "digest": "d"}]}, "datasets[0].name"),
        (
            {"datasets": [{"dataset": {"name": "n", "digest": "d", "size": 1}}]},
            "datasets[0].dataset.size",
        ),
        ({"datasets": [{**TRAIN, "context": "c" * 501}]}, "datasets[0].tags.mlflow.data.context"),
        ({"datasets": {"name": "n"}}, "datasets"),
        ({"models": [{"model_id": "m-1"}]}, "models[0].model_id"),
        ({"models": ["m-" + "a" * 32]}, "models[0]"),
        ({"inputs": []}, "inputs"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field(
    mlops_api: ApiCall, body: dict[str, Any], field: str
) -> None:
    run_id = await _alices_run(mlops_api)
    response = await mlops_api(
        "POST", f"runs/{run_id}/inputs", json={"datasets": [TRAIN], **body}, headers=ALICE
    )
    assert response.status == 400, response.body
    assert response.error["field"] == field
    assert (await get_run(mlops_api, run_id, headers=ALICE))["inputs"]["datasets"] == []


async def test_an_unknown_logged_model_is_a_404_and_stores_nothing(mlops_api: ApiCall) -> None:
    run_id = await _alices_run(mlops_api)
    response = await mlops_api(
        "POST",
        f"runs/{run_id}/inputs",
        json={"datasets": [TRAIN], "models": [{"model_id": "m-" + "0" * 32}]},
        headers=ALICE,
    )
    assert response.status == 404
    assert response.error["field"] == "models[0].model_id"
    assert (await get_run(mlops_api, run_id, headers=ALICE))["inputs"]["datasets"] == []


async def test_only_the_runs_user_or_an_admin_and_never_on_a_deleted_run(
    mlops_api: ApiCall,
) -> None:
    run_id = await _alices_run(mlops_api)
    path = f"runs/{run_id}/inputs"

    denied = await mlops_api("POST", path, json={"datasets": [TRAIN]}, headers=BOB)
    assert denied.status == 403
    assert (await get_run(mlops_api, run_id, headers=ALICE))["inputs"]["datasets"] == []

    await mlops_api("PATCH", f"runs/{run_id}", json={"status": "FINISHED"}, headers=ALICE)
    assert (await mlops_api("POST", path, json={"datasets": [TRAIN]}, headers=ROOT)).status == 204
    await mlops_api("DELETE", f"runs/{run_id}", headers=ALICE)
    eval_input = {"dataset": {"name": "e", "digest": "1"}}
    gone = await mlops_api("POST", path, json={"datasets": [eval_input]}, headers=ALICE)
    assert gone.status == 409
    assert gone.error["code"] == "INVALID_STATE"
