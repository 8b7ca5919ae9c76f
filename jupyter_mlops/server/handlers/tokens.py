"""API tokens: ``mlops/api/tokens`` (list, create) and ``mlops/api/tokens/{token_id}`` (get,
revoke). The secret is in the answer to the create, and nowhere ever after.

Managing tokens needs a signed-in user (jupyter_server's token, cookie or identity
provider): an API token cannot mint or list tokens, so a leaked one cannot outlive its
revocation by issuing others.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...auth.entities import ApiToken
from ...errors import PermissionDenied
from .base import MlopsAPIHandler


def token_json(token: ApiToken) -> dict[str, Any]:
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


class TokenAPIHandler(MlopsAPIHandler):
    def refuse_api_tokens(self) -> None:
        if self.scoped_token is not None:
            raise PermissionDenied(
                "API tokens cannot manage API tokens; sign in to JupyterLab instead",
                field="Authorization",
            )


class TokensHandler(TokenAPIHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.refuse_api_tokens()
        page = await self.run(
            self.tokens.list_tokens,
            self.caller,
            owner=self.query_str("user"),
            max_results=self.query_int("max_results", 100),
            page_token=self.query_str("page_token"),
        )
        self.write_json(
            {
                "tokens": [token_json(t) for t in page.items],
                "next_page_token": page.next_page_token,
            }
        )

    @web.authenticated
    @authorized
    async def post(self) -> None:
        self.refuse_api_tokens()
        body = self.json_body(("note", "expires_in", "owner"))
        token, secret = await self.run(
            self.tokens.create_token,
            self.caller,
            note=body.get("note", ""),
            expires_in=body.get("expires_in"),
            owner=body.get("owner"),
        )
        self.write_json({"token": secret, "api_token": token_json(token)}, status=201)


class TokenHandler(TokenAPIHandler):
    @web.authenticated
    @authorized
    async def get(self, token_id: str) -> None:
        self.refuse_api_tokens()
        token = await self.run(self.tokens.get_token, self.caller, token_id)
        self.write_json({"api_token": token_json(token)})

    @web.authenticated
    @authorized
    async def delete(self, token_id: str) -> None:
        self.refuse_api_tokens()
        await self.run(self.tokens.revoke_token, self.caller, token_id)
        self.write_no_content()
