"""API tokens over REST, with several users: a token acts as its owner (not as an admin,
unless the owner is one) on the native and the MLflow-compatible API, without XSRF; a
revoked or expired one is refused; none reaches jupyter_server's own endpoints or the
notebook-server proxy. Every exchange under mlops/api is checked against the OpenAPI
document."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from jupyter_server.utils import url_path_join
from server_support import ApiCall, ApiResponse, TokenUsers, as_user

ALICE, BOB, ROOT = as_user("alice"), as_user("bob"), as_user("root")


@pytest.fixture
def mlops_identity_config() -> dict[str, Any]:
    return {"identity_provider_class": TokenUsers}


@pytest.fixture
def mlops_extension_config() -> dict[str, Any]:
    return {"admin_users": {"root"}}


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def token(secret: str) -> dict[str, str]:
    return {"Authorization": f"token {secret}"}


async def _issue(api: ApiCall, headers: dict[str, str], **body: Any) -> tuple[str, dict[str, Any]]:
    answer = await api("POST", "tokens", json=body, headers=headers)
    assert answer.status == 201, answer.body
    return answer.json()["token"], answer.json()["api_token"]


async def _fetch(
    client: Any, base_url: str, path: str, headers: dict[str, str], **kwargs: Any
) -> ApiResponse:
    response = await client.fetch(
        url_path_join(base_url, path),
        headers=headers,
        raise_error=False,
        follow_redirects=False,
        **kwargs,
    )
    return ApiResponse(response.code, response.headers, response.body or b"")


async def test_a_token_acts_as_its_owner(mlops_api: ApiCall) -> None:
    secret, record = await _issue(mlops_api, ALICE, note="notebook server alice/gpu-box")
    assert record["owner"] == "alice" and record["note"] == "notebook server alice/gpu-box"
    assert secret.startswith(record["prefix"]) and record["last_used"] is None

    me = await mlops_api("GET", "me", headers=token(secret))
    assert me.json() == {"user": "alice", "is_admin": False, "mode": "multi-user"}
    # A POST with no XSRF cookie: a token in a header needs none.
    run = await mlops_api("POST", "runs", json={"experiment_id": "0"}, headers=bearer(secret))
    assert run.status == 201, run.body
    assert run.json()["run"]["info"]["user"] == "alice"

    bobs = await mlops_api("POST", "runs", json={"experiment_id": "0"}, headers=BOB)
    bob_run = bobs.json()["run"]["info"]["run_id"]
    changed = await mlops_api(
        "POST", f"runs/{bob_run}/batch", json={"params": {"p": "1"}}, headers=token(secret)
    )
    assert changed.status == 403 and changed.error["code"] == "PERMISSION_DENIED"

    listed = await mlops_api("GET", "tokens", headers=ALICE)
    assert listed.json()["tokens"][0]["last_used"] is not None


async def test_a_token_is_an_admin_only_when_its_owner_is(mlops_api: ApiCall) -> None:
    for_alice, record = await _issue(mlops_api, ROOT, owner="alice")
    assert record["owner"] == "alice"
    me = await mlops_api("GET", "me", headers=token(for_alice))
    assert me.json() == {"user": "alice", "is_admin": False, "mode": "multi-user"}
    roots, _ = await _issue(mlops_api, ROOT)
    me = await mlops_api("GET", "me", headers=token(roots))
    assert me.json() == {"user": "root", "is_admin": True, "mode": "multi-user"}
    refused = await mlops_api("POST", "tokens", json={"owner": "bob"}, headers=ALICE)
    assert refused.status == 403 and refused.error["field"] == "owner"


async def test_revoked_and_expired_tokens_are_refused(mlops_api: ApiCall) -> None:
    secret, record = await _issue(mlops_api, ALICE)
    assert (await mlops_api("DELETE", f"tokens/{record['id']}", headers=ALICE)).status == 204
    refused = await mlops_api("GET", "me", headers=token(secret))
    assert refused.status == 403 and "revoked or expired" in refused.error["message"]
    assert (await mlops_api("GET", f"tokens/{record['id']}", headers=ALICE)).status == 404

    short, _ = await _issue(mlops_api, ALICE, expires_in=1)
    assert (await mlops_api("GET", "me", headers=token(short))).status == 200
    await asyncio.sleep(1.1)
    assert (await mlops_api("GET", "me", headers=token(short))).status == 403
    unknown = await mlops_api("GET", "me", headers=bearer("mlops_" + "x" * 43))
    assert unknown.status == 403


async def test_users_see_and_revoke_only_their_own_tokens(mlops_api: ApiCall) -> None:
    _, alices = await _issue(mlops_api, ALICE, note="mine")
    _, bobs = await _issue(mlops_api, BOB)
    mine = await mlops_api("GET", "tokens", headers=ALICE)
    assert [t["id"] for t in mine.json()["tokens"]] == [alices["id"]]
    assert (await mlops_api("GET", "tokens", params={"user": "bob"}, headers=ALICE)).status == 403
    assert (await mlops_api("DELETE", f"tokens/{bobs['id']}", headers=ALICE)).status == 404
    everyone = await mlops_api("GET", "tokens", headers=ROOT)
    assert {t["owner"] for t in everyone.json()["tokens"]} == {"alice", "bob"}
    got = await mlops_api("GET", f"tokens/{alices['id']}", headers=ROOT)
    assert got.json()["api_token"]["note"] == "mine"
    assert (await mlops_api("DELETE", f"tokens/{bobs['id']}", headers=ROOT)).status == 204


async def test_bad_input_names_the_field(mlops_api: ApiCall) -> None:
    for body, field in [
        ({"expires_in": -5}, "expires_in"),
        ({"note": ["x"]}, "note"),
        ({"colour": "red"}, "colour"),
    ]:
        answer = await mlops_api("POST", "tokens", json=body, headers=ALICE)
        assert answer.status == 400 and answer.error["field"] == field, answer.body
    answer = await mlops_api("GET", "tokens/not-a-number", headers=ALICE)
    assert answer.status == 400 and answer.error["field"] == "token_id"


async def test_a_token_cannot_manage_tokens(mlops_api: ApiCall) -> None:
    secret, record = await _issue(mlops_api, ROOT)
    for method, path, body in [
        ("GET", "tokens", None),
        ("POST", "tokens", {"note": "another"}),
        ("DELETE", f"tokens/{record['id']}", None),
    ]:
        answer = await mlops_api(method, path, json=body, headers=token(secret))
        assert answer.status == 403, (method, path, answer.body)


async def test_the_mlflow_api_takes_bearer_tokens(
    mlops_api: ApiCall, http_server_client: Any, jp_base_url: str
) -> None:
    secret, _ = await _issue(mlops_api, ALICE)
    created = await _fetch(
        http_server_client,
        jp_base_url,
        "mlops/mlflow/api/2.0/mlflow/runs/create",
        {**bearer(secret), "Content-Type": "application/json"},
        method="POST",
        body=json.dumps({"experiment_id": "0", "start_time": 1}),
    )
    assert created.status == 200, created.body
    assert created.json()["run"]["info"]["user_id"] == "alice"


async def test_a_token_reaches_neither_jupyter_server_nor_the_proxy(
    mlops_api: ApiCall, http_server_client: Any, jp_base_url: str
) -> None:
    secret, _ = await _issue(mlops_api, ALICE)
    for path in ["api/kernels", "api/contents", "api/sessions", "api/status"]:
        answer = await _fetch(http_server_client, jp_base_url, path, token(secret))
        assert answer.status == 403, (path, answer.status)
        # ...which an admin's own login reaches (multi-user mode: jupyter_server's own
        # endpoints are admins' only).
        assert (await _fetch(http_server_client, jp_base_url, path, ROOT)).status == 200
    started = await _fetch(
        http_server_client,
        jp_base_url,
        "api/kernels",
        {**token(secret), "Content-Type": "application/json"},
        method="POST",
        body=json.dumps({"name": "python3"}),
    )
    assert started.status == 403
    for owner in ("bob", "alice"):
        proxied = await _fetch(
            http_server_client, jp_base_url, f"mlops/servers/{owner}/box/api/status", token(secret)
        )
        # Not signed in, as far as the proxy knows: sent to the login page.
        assert proxied.status in (302, 403), (owner, proxied.status)
        if proxied.status == 302:
            assert "/login" in proxied.headers["Location"]
