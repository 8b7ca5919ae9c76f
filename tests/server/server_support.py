"""Helpers of the REST handler tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jupyter_server.auth.identity import IdentityProvider, User
from tornado.httputil import HTTPHeaders

API = "mlops/api"


class TokenUsers(IdentityProvider):
    """A multi-user identity provider for tests: each token is one named user."""

    USERS: Mapping[str, str] = {"alice-token": "alice", "bob-token": "bob", "root-token": "root"}

    def get_user(self, handler: Any) -> User | None:
        scheme, _, token = handler.request.headers.get("Authorization", "").partition(" ")
        name = self.USERS.get(token) if scheme.lower() == "token" else None
        if name is None:
            return None
        # A token in a header cannot be forged cross-site: tell jupyter_server to skip XSRF.
        handler._token_authenticated = True
        return User(username=name)


def as_user(name: str) -> dict[str, str]:
    """Headers that authenticate as ``name`` with TokenUsers."""
    return {"Authorization": f"token {name}-token"}


@dataclass
class ApiResponse:
    status: int
    headers: HTTPHeaders
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error(self) -> dict[str, Any]:
        """The ``error`` object of an error response."""
        document = self.json()
        assert set(document) == {"error"}, document
        error: dict[str, Any] = document["error"]
        return error


ApiCall = Callable[..., Awaitable[ApiResponse]]


# -- small helpers shared by the tests ------------------------------------------------------
async def create_experiment(api: ApiCall, name: str, **kwargs: Any) -> dict[str, Any]:
    response = await api("POST", "experiments", json={"name": name, **kwargs})
    assert response.status == 201, response.body
    experiment: dict[str, Any] = response.json()["experiment"]
    return experiment


async def create_run(api: ApiCall, experiment_id: str = "0", **kwargs: Any) -> dict[str, Any]:
    response = await api("POST", "runs", json={"experiment_id": experiment_id, **kwargs})
    assert response.status == 201, response.body
    run: dict[str, Any] = response.json()["run"]
    return run


async def get_run(api: ApiCall, run_id: str, **kwargs: Any) -> dict[str, Any]:
    response = await api("GET", f"runs/{run_id}", **kwargs)
    assert response.status == 200, response.body
    run: dict[str, Any] = response.json()["run"]
    return run
