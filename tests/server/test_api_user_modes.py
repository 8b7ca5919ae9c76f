"""Single-user or multi-user: the mode follows the identity provider (or the setting), the
server says which, and in multi-user mode jupyter_server's own code and file endpoints are
admins' only: a signed-in user must not run code as the server's account or read its
files (its database, cookie secret, other users' artifacts)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from server_support import ApiCall, TokenUsers, as_user
from tornado.httpclient import HTTPClientError

from jupyter_mlops.server.extension import MULTI_USER_MAX_BODY_BYTES

ALICE, ROOT = as_user("alice"), as_user("root")


async def _status(jp_fetch: Any, *parts: str, headers: dict[str, str], **kwargs: Any) -> int:
    try:
        response = await jp_fetch(*parts, headers=headers, **kwargs)
    except HTTPClientError as error:
        return error.code
    return int(response.code)


class TestMultiUser:
    @pytest.fixture
    def mlops_identity_config(self) -> dict[str, Any]:
        return {"identity_provider_class": TokenUsers}

    @pytest.fixture
    def mlops_extension_config(self) -> dict[str, Any]:
        return {"admin_users": {"root"}}

    async def test_the_mode_is_multi_user_and_me_says_so(self, mlops_api: ApiCall) -> None:
        alice = await mlops_api("GET", "me", headers=ALICE)
        assert alice.json() == {"user": "alice", "is_admin": False, "mode": "multi-user"}
        root = await mlops_api("GET", "me", headers=ROOT)
        assert root.json() == {"user": "root", "is_admin": True, "mode": "multi-user"}

    @pytest.mark.parametrize(
        ("method", "parts", "body"),
        [
            ("POST", ("api", "kernels"), {}),  # run code as the server's account
            ("GET", ("api", "kernels"), None),
            ("POST", ("api", "sessions"), {"path": "x.ipynb", "type": "notebook"}),
            ("GET", ("api", "contents"), None),  # list the server's files
            ("GET", ("api", "contents", "mlops.db"), None),
            ("PUT", ("api", "contents", "evil.py"), {"type": "file", "format": "text"}),
            ("GET", ("files", "anything"), None),
            ("POST", ("api", "shutdown"), {}),  # stop everyone's server
            ("PATCH", ("api", "config", "notebook"), {"a": 1}),  # settings of everyone
        ],
    )
    async def test_a_user_cannot_run_code_or_touch_files_on_the_server(
        self, jp_fetch: Any, method: str, parts: tuple[str, ...], body: Any
    ) -> None:
        kwargs: dict[str, Any] = {"method": method}
        if body is not None:
            kwargs["body"] = json.dumps(body)
        assert await _status(jp_fetch, *parts, headers=ALICE, **kwargs) == 403

    async def test_an_admin_still_may(self, jp_fetch: Any) -> None:
        assert await _status(jp_fetch, "api", "contents", headers=ROOT) == 200
        assert await _status(jp_fetch, "api", "kernels", headers=ROOT) == 200

    async def test_a_user_still_uses_the_mlops_api_and_the_server_status(
        self, mlops_api: ApiCall, jp_fetch: Any
    ) -> None:
        created = await mlops_api("POST", "experiments", json={"name": "mine"}, headers=ALICE)
        assert created.status == 201
        assert await _status(jp_fetch, "api", "status", headers=ALICE) == 200

    async def test_bodies_jupyter_server_reads_before_it_authenticates_are_bounded(
        self, jp_serverapp: Any
    ) -> None:
        # Its own handlers (contents, kernels) buffer a body before they know the caller.
        assert jp_serverapp.max_body_size == MULTI_USER_MAX_BODY_BYTES < 512 * 1024**2

    async def test_an_unknown_token_is_refused_everywhere(self, jp_fetch: Any) -> None:
        mallory = {"Authorization": "token mallory-token"}
        assert await _status(jp_fetch, "api", "kernels", headers=mallory) == 403
        assert await _status(jp_fetch, "mlops", "api", "me", headers=mallory) == 403


class TestForcedModes:
    @pytest.fixture
    def mlops_extension_config(self) -> dict[str, Any]:
        return {"user_mode": "multi-user"}

    async def test_multi_user_can_be_chosen_with_the_shared_token(
        self, mlops_api: ApiCall, jp_fetch: Any
    ) -> None:
        me = await mlops_api("GET", "me")
        # The one token's holder is still the default user, and an admin: only admins
        # keep the kernels.
        assert me.json() == {"user": "owner", "is_admin": True, "mode": "multi-user"}
        assert await _status(jp_fetch, "api", "kernels", headers={}) == 200


async def test_single_user_is_the_default_with_jupyter_servers_own_login(
    mlops_api: ApiCall, jp_fetch: Any, jp_serverapp: Any
) -> None:
    assert (await mlops_api("GET", "me")).json()["mode"] == "single-user"
    assert await _status(jp_fetch, "api", "contents", headers={}) == 200
    # jupyter_server's own body limit stays as configured (its default: 512 MiB).
    assert jp_serverapp.max_body_size == 512 * 1024**2


async def test_the_mode_is_logged_at_start_up(
    capfd: pytest.CaptureFixture[str], jp_configurable_serverapp: Any
) -> None:
    jp_configurable_serverapp()
    assert "jupyter-mlops: single-user mode" in capfd.readouterr().err
