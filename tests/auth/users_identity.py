"""A multi-user identity provider for tests that run ``jupyter server`` as a subprocess
(importable there through PYTHONPATH): the server's own token is the admin "admin", and
``token <name>-token`` is the user ``name``."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.identity import IdentityProvider, User


class HeaderUsers(IdentityProvider):
    def get_user(self, handler: Any) -> User | None:
        scheme, _, value = handler.request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "token" or not value:
            return None
        if value == self.token:
            name = "admin"
        elif value.endswith("-token"):
            name = value.removesuffix("-token")
        else:
            return None
        handler._token_authenticated = True  # a header token: no XSRF check
        return User(username=name)
