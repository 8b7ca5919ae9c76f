"""The native REST API's JSON shapes of API tokens (pure).

A token's record never carries its secret; the secret travels once, beside the record, in
the answer to the request that issued it (:func:`issued_token_json`).
"""

from __future__ import annotations

from typing import Any

from .entities import ApiToken


def token_json(token: ApiToken) -> dict[str, Any]:
    """The ``ApiToken`` schema of the OpenAPI document."""
    return {
        "id": token.id,
        "owner": token.owner,
        "note": token.note,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used": token.last_used,
        "expires_at": token.expires_at,
        "notebook_server": token.notebook_server,
    }


def issued_token_json(issued: tuple[ApiToken, str]) -> dict[str, Any]:
    """The answer to ``createApiToken``: the secret (shown this once) and the record."""
    token, secret = issued
    return {"token": secret, "api_token": token_json(token)}
