"""Quick predictions from a registered model: ``POST mlops/api/models/{name}/predict``.

The version is chosen by ``?alias=`` or ``?version=`` (neither: the newest version). The
body is a scoring request in MLflow's protocol (JSON ``dataframe_split``,
``dataframe_records``, ``instances`` or ``inputs``, optional ``params``; or CSV), and the
answer MLflow's ``{"predictions": ...}`` plus which version answered. The model is read
straight from the artifact store, loaded in the thread pool (never on the event loop),
and kept loaded per version for the next request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...errors import InvalidParameter, NotFound
from ...models.flavors import load_predictor
from ...models.mlmodel import MLModel
from ...models.pyfunc_model import PyFuncModel
from ...models.scoring.cache import ModelCache
from ...models.scoring.invoke import invoke
from .base import MlopsAPIHandler

#: Key of the loaded-model cache in the tornado settings (created on first use).
SETTING_MODEL_CACHE = "mlops_model_cache"


def _choose_version(
    registry: Any, user: str, name: str, alias: str | None, version: str | None
) -> Any:
    if alias is not None and version is not None:
        raise InvalidParameter("Pass alias or version, not both", field="alias")
    if alias is not None:
        return registry.get_model_version_by_alias(user, name, alias)
    if version is not None:
        return registry.get_model_version(user, name, version)
    versions = registry.get_latest_versions(user, name)
    if not versions:
        raise NotFound(f"Registered model {name!r} has no versions", field="name")
    return max(versions, key=lambda mv: int(mv.version))


def _load(registry: Any, storage_location: str) -> PyFuncModel:
    root = Path(registry.artifacts.root).resolve()
    folder = (root / storage_location).resolve()
    if not folder.is_relative_to(root):  # the registry confines sources; checked again here
        raise InvalidParameter("the model's files lie outside the artifact store", field="name")
    mlmodel = MLModel.load(folder)
    return PyFuncModel(mlmodel, load_predictor(folder, mlmodel), folder)


class ModelPredictHandler(MlopsAPIHandler):
    @property
    def model_cache(self) -> ModelCache:
        cache: ModelCache = self.settings.setdefault(SETTING_MODEL_CACHE, ModelCache())
        return cache

    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        registry = self.registry
        user = self.caller
        chosen = await self.run(
            _choose_version,
            registry,
            user,
            name,
            self.query_str("alias"),
            self.query_str("version"),
        )
        key = (chosen.name, chosen.version, chosen.storage_location)
        model = await self.run(
            self.model_cache.get, key, lambda: _load(registry, chosen.storage_location)
        )
        document = await self.run(
            invoke, model, self.request.body, self.request.headers.get("Content-Type")
        )
        document["model"] = {"name": chosen.name, "version": str(chosen.version)}
        self.write_json(document)
