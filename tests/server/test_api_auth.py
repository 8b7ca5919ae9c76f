"""Without a valid identity, every route answers 403 (jupyter_server's choice over 401)."""

from __future__ import annotations

import re

import pytest
from server_support import ApiCall

from jupyter_mlops.server.routes import ROUTES

RUN_ID = "0" * 32

_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_EXAMPLES = {"experiment_id": "0", "run_id": RUN_ID, "key": "loss", "path": "a/b.txt"}
_EXAMPLES.update({"owner": "alice", "name": "work"})  # notebook servers, registered models
_EXAMPLES.update({"version": "1", "alias": "champion", "model_id": "m-" + "0" * 32})
_EXAMPLES.update({"pipeline_id": "p1", "schedule_id": "s1", "step_id": "train", "token_id": "t1"})


def _example_path(pattern: str) -> str:
    # Every id group of the route table needs an example: a new one fails loudly here.
    return _GROUP.sub(lambda m: _EXAMPLES[m[1]], pattern)


def _every_route_and_method() -> list[tuple[str, str]]:
    pairs = []
    for pattern, handler in ROUTES:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            if method.lower() in vars(handler):
                pairs.append((method, _example_path(pattern)))
    return pairs


@pytest.mark.parametrize(("method", "path"), _every_route_and_method())
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"Authorization": "token wrong"}, id="wrong-token"),
    ],
)
async def test_every_route_refuses_callers_without_identity(
    mlops_api: ApiCall, method: str, path: str, headers: dict[str, str]
) -> None:
    body = b"{}" if method in ("POST", "PATCH", "PUT") else None
    response = await mlops_api(method, path, body=body, headers=headers, auth=False)
    assert response.status in (401, 403)
    assert response.error["code"] in ("UNAUTHENTICATED", "PERMISSION_DENIED")


async def test_nothing_was_created_by_refused_calls(mlops_api: ApiCall) -> None:
    await mlops_api("POST", "experiments", json={"name": "sneaky"}, auth=False)
    await mlops_api("POST", "runs", json={}, auth=False)
    listed = await mlops_api("GET", "experiments")
    assert [e["name"] for e in listed.json()["experiments"]] == ["Default"]
    assert (await mlops_api("GET", "runs/count")).json() == {"count": 0}


async def test_header_authenticated_clients_get_no_login_cookie(mlops_api: ApiCall) -> None:
    # Scripts and MLflow's client send their token with every call; a login cookie would
    # only be stored, sent back and verified on each later call.
    response = await mlops_api("GET", "experiments")
    assert response.status == 200
    assert response.headers.get_list("Set-Cookie") == []
