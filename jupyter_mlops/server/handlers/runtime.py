"""The step runtime: this server's own jupyter-mlops as a wheel, for step pods whose image
lacks it (``pipelines/runtime/bootstrap.py`` downloads it with the pod's token)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...errors import NotFound
from ...pipelines.server.runtime_wheel import RuntimeWheelCache, runtime_wheel_filename
from .base import MlopsAPIHandler

#: Tornado setting holding the wheel once built (built on first request, then served).
SETTING_RUNTIME_WHEEL = "mlops_runtime_wheel"


class RuntimeWheelHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        served = runtime_wheel_filename()
        if name != served:
            raise NotFound(f"This server serves {served}, not {name}", field="name")
        cache: RuntimeWheelCache = self.settings.setdefault(
            SETTING_RUNTIME_WHEEL, RuntimeWheelCache()
        )
        # Reading and compressing the package's files: off the IO loop (once per server).
        wheel = await self.run(cache.get)
        self.set_header("Content-Disposition", f'attachment; filename="{wheel.filename}"')
        self.finish(wheel.data, set_content_type="application/octet-stream")
