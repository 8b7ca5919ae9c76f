"""Several users: everyone reads everything; only owners (and admins) change things."""

from __future__ import annotations

from typing import Any

import pytest
from server_support import ApiCall, TokenUsers, as_user

ALICE, BOB, ROOT = as_user("alice"), as_user("bob"), as_user("root")


@pytest.fixture
def mlops_identity_config() -> dict[str, Any]:
    return {"identity_provider_class": TokenUsers}


@pytest.fixture
def mlops_extension_config() -> dict[str, Any]:
    return {"admin_users": {"root"}}


async def _bob_owns(mlops_api: ApiCall) -> tuple[str, str]:
    """An experiment and a run of Bob's, with a param, a tag and a file."""
    experiment = await mlops_api("POST", "experiments", json={"name": "bobs"}, headers=BOB)
    eid = experiment.json()["experiment"]["experiment_id"]
    run = await mlops_api("POST", "runs", json={"experiment_id": eid}, headers=BOB)
    run_id = run.json()["run"]["info"]["run_id"]
    await mlops_api(
        "POST", f"runs/{run_id}/batch", json={"params": {"p": "1"}, "tags": {"t": "1"}}, headers=BOB
    )
    await mlops_api("PUT", f"runs/{run_id}/artifacts/f.txt", body=b"bob", headers=BOB)
    return eid, run_id


async def test_me_names_the_user_and_whether_they_are_admin(mlops_api: ApiCall) -> None:
    alice = await mlops_api("GET", "me", headers=ALICE)
    assert alice.json() == {"user": "alice", "is_admin": False, "mode": "multi-user"}
    root = await mlops_api("GET", "me", headers=ROOT)
    assert root.json() == {"user": "root", "is_admin": True, "mode": "multi-user"}


async def test_owners_are_the_callers(mlops_api: ApiCall) -> None:
    eid, run_id = await _bob_owns(mlops_api)
    experiment = await mlops_api("GET", f"experiments/{eid}", headers=ALICE)
    assert experiment.json()["experiment"]["owner"] == "bob"
    run = await mlops_api("GET", f"runs/{run_id}", headers=ALICE)
    assert run.json()["run"]["info"]["user"] == "bob"


async def test_another_user_can_read_everything(mlops_api: ApiCall) -> None:
    eid, run_id = await _bob_owns(mlops_api)
    for path, params in [
        (f"experiments/{eid}", None),
        ("experiments", None),
        (f"runs/{run_id}", None),
        ("runs", {"experiment_ids": eid}),
        ("runs/count", {"experiment_ids": eid}),
        (f"runs/{run_id}/metrics/loss", None),
        (f"runs/{run_id}/artifacts", None),
        (f"runs/{run_id}/artifacts/f.txt", None),
    ]:
        response = await mlops_api("GET", path, params=params, headers=ALICE)
        assert response.status == 200, path
    assert (await mlops_api("GET", f"runs/{run_id}/artifacts/f.txt", headers=ALICE)).body == b"bob"


async def test_another_user_can_log_a_run_of_their_own_in_bobs_experiment(
    mlops_api: ApiCall,
) -> None:
    eid, _ = await _bob_owns(mlops_api)
    response = await mlops_api("POST", "runs", json={"experiment_id": eid}, headers=ALICE)
    assert response.status == 201
    assert response.json()["run"]["info"]["user"] == "alice"


WRITES_TO_BOBS_THINGS = [
    ("PATCH", "experiments/{eid}", {"name": "mine"}),
    ("PATCH", "experiments/{eid}", {"tags": {"x": "y"}}),
    ("DELETE", "experiments/{eid}/tags/x", None),
    ("DELETE", "experiments/{eid}", None),
    ("PATCH", "runs/{run_id}", {"status": "KILLED"}),
    ("PATCH", "runs/{run_id}", {"run_name": "mine"}),
    ("POST", "runs/{run_id}/batch", {"metrics": [{"key": "m", "value": 1}]}),
    ("POST", "runs/{run_id}/batch", {"tags": {"t": "2"}}),
    ("DELETE", "runs/{run_id}/tags/t", None),
    ("DELETE", "runs/{run_id}", None),
]


@pytest.mark.parametrize(("method", "template", "body"), WRITES_TO_BOBS_THINGS)
async def test_another_user_cannot_change_bobs_things(
    mlops_api: ApiCall, method: str, template: str, body: Any
) -> None:
    eid, run_id = await _bob_owns(mlops_api)
    experiment_before = await mlops_api("GET", f"experiments/{eid}", headers=BOB)
    run_before = await mlops_api("GET", f"runs/{run_id}", headers=BOB)

    response = await mlops_api(
        method, template.format(eid=eid, run_id=run_id), json=body, headers=ALICE
    )

    assert response.status == 403, response.body
    assert response.error["code"] == "PERMISSION_DENIED"
    assert (await mlops_api("GET", f"experiments/{eid}", headers=BOB)).json() == (
        experiment_before.json()
    )
    assert (await mlops_api("GET", f"runs/{run_id}", headers=BOB)).json() == run_before.json()


async def test_another_user_cannot_upload_restore_or_untag(mlops_api: ApiCall) -> None:
    eid, run_id = await _bob_owns(mlops_api)
    upload = await mlops_api("PUT", f"runs/{run_id}/artifacts/f.txt", body=b"alice", headers=ALICE)
    assert upload.status == 403
    assert (await mlops_api("GET", f"runs/{run_id}/artifacts/f.txt", headers=BOB)).body == b"bob"

    await mlops_api("DELETE", f"runs/{run_id}", headers=BOB)
    assert (await mlops_api("POST", f"runs/{run_id}/restore", headers=ALICE)).status == 403
    await mlops_api("DELETE", f"experiments/{eid}", headers=BOB)
    assert (await mlops_api("POST", f"experiments/{eid}/restore", headers=ALICE)).status == 403


@pytest.mark.parametrize(("method", "template", "body"), WRITES_TO_BOBS_THINGS)
async def test_an_admin_can_change_bobs_things(
    mlops_api: ApiCall, method: str, template: str, body: Any
) -> None:
    eid, run_id = await _bob_owns(mlops_api)
    if template.endswith("tags/x"):
        await mlops_api("PATCH", f"experiments/{eid}", json={"tags": {"x": "1"}}, headers=BOB)
    response = await mlops_api(
        method, template.format(eid=eid, run_id=run_id), json=body, headers=ROOT
    )
    assert response.status in (200, 204), response.body


async def test_only_admins_change_the_default_experiment(mlops_api: ApiCall) -> None:
    refused = await mlops_api("PATCH", "experiments/0", json={"description": "x"}, headers=ALICE)
    assert refused.status == 403
    allowed = await mlops_api("PATCH", "experiments/0", json={"description": "x"}, headers=ROOT)
    assert allowed.status == 200
    # Anyone may still log runs there.
    assert (await mlops_api("POST", "runs", json={}, headers=ALICE)).status == 201


async def test_the_shared_server_token_is_nobody_here(mlops_api: ApiCall) -> None:
    # With a real identity provider the server's own token names no user.
    response = await mlops_api("GET", "me")
    assert response.status == 403
