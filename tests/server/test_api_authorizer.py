"""The declared permission of every operation reaches jupyter_server's Authorizer.

An admin can give a user read-only access with an Authorizer (as JupyterHub's scopes do):
the generic handler must ask it for each operation's declared action before any service
runs, so that a read-only user reads everything and changes nothing, whatever route.
"""

from __future__ import annotations

from typing import Any

import pytest
from jupyter_server.auth.authorizer import Authorizer
from server_support import ApiCall, TokenUsers, as_user

from jupyter_mlops.api.operations import operations

READER = as_user("bob")


class ReadOnlyBob(Authorizer):
    """Bob may only read the MLOps API; everyone else may do anything."""

    asked: list[tuple[str, str, str]] = []

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        ReadOnlyBob.asked.append((user.username, action, resource))
        return user.username != "bob" or action == "read"


@pytest.fixture
def mlops_identity_config() -> dict[str, Any]:
    return {"identity_provider_class": TokenUsers, "authorizer_class": ReadOnlyBob}


async def test_a_read_only_user_reads_everything_and_changes_nothing(mlops_api: ApiCall) -> None:
    created = await mlops_api(
        "POST", "experiments", json={"name": "alices"}, headers=as_user("alice")
    )
    experiment_id = created.json()["experiment"]["experiment_id"]

    listed = await mlops_api("GET", "experiments", headers=READER)
    assert listed.status == 200
    assert [e["name"] for e in listed.json()["experiments"]] == ["alices", "Default"]

    for method, path, body in [
        ("POST", "experiments", {"name": "bobs"}),
        ("PATCH", f"experiments/{experiment_id}", {"name": "taken over"}),
        ("DELETE", f"experiments/{experiment_id}", None),
        ("POST", "runs", {"experiment_id": experiment_id}),
        ("POST", "registered-models", {"name": "bobs-model"}),
        ("POST", "tokens", {"note": "escalate"}),
    ]:
        refused = await mlops_api(method, path, json=body, headers=READER)
        assert refused.status == 403, (method, path)

    after = await mlops_api("GET", f"experiments/{experiment_id}", headers=READER)
    assert after.json()["experiment"]["name"] == "alices"
    assert after.json()["experiment"]["lifecycle_stage"] == "active"
    models = await mlops_api("GET", "registered-models", headers=READER)
    assert models.json()["registered_models"] == []


async def test_each_operation_asks_for_its_declared_action(mlops_api: ApiCall) -> None:
    ReadOnlyBob.asked.clear()
    await mlops_api("GET", "experiments", headers=as_user("alice"))
    await mlops_api("POST", "experiments", json={"name": "x"}, headers=as_user("alice"))
    asked = [(action, resource) for user, action, resource in ReadOnlyBob.asked if user == "alice"]
    assert ("read", "mlops") in asked and ("write", "mlops") in asked
    declared = {op.id: op.permission for op in operations().values()}
    assert declared["searchExperiments"] == "read"
    assert declared["createExperiment"] == "write"
