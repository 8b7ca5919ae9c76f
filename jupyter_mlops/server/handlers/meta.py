"""About the API itself: who am I, and the OpenAPI document."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import SETTING_USER_MODE, MlopsAPIHandler, openapi_path


class MeHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        user = self.caller
        self.write_json(
            {
                "user": user,
                "is_admin": self.service.is_admin(user),
                "mode": self.settings[SETTING_USER_MODE].value,
            }
        )


class OpenAPIHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        text = await self.run(openapi_path(self).read_text, encoding="utf-8")
        self.finish(text, set_content_type="application/yaml; charset=UTF-8")
