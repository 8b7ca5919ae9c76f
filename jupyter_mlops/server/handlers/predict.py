"""Quick predictions from a registered model: ``POST mlops/api/models/{name}/predict``.

The version is chosen by ``?alias=`` or ``?version=`` (neither: the newest version). The
body is a scoring request in MLflow's protocol (JSON ``dataframe_split``,
``dataframe_records``, ``instances`` or ``inputs``, optional ``params``; or CSV), and the
answer MLflow's ``{"predictions": ...}`` plus which version answered.

The server never loads the model: a model is user code (a pickle, a loader module). The
version's scoring worker, a process of its own (see ``models.scoring.pool``), loads it
once and answers; this handler resolves the version and passes the body on.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...models.scoring.pool import ScoringPool
from ...models.scoring.targets import resolve_target
from .base import SETTING_SCORING_POOL, MlopsAPIHandler


class ModelPredictHandler(MlopsAPIHandler):
    @property
    def scoring(self) -> ScoringPool:
        pool: ScoringPool = self.settings[SETTING_SCORING_POOL]
        return pool

    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        pool = self.scoring
        target = await self.run(
            resolve_target,
            self.registry,
            pool.policy,
            self.caller,
            name,
            self.query_str("alias"),
            self.query_str("version"),
        )
        answer = await pool.predict(
            target, self.request.body, self.request.headers.get("Content-Type")
        )
        self.set_status(200)
        self.finish(answer)  # the worker's JSON, as it wrote it
