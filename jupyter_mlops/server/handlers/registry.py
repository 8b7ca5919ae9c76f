"""A logged model's files, streamed both ways: the one registry route that is not a
declared operation's generic handler (``operation_handler.py`` serves the others).

Exactly as a run's files (same size limit, same checks before the body is read); only
the folder's owner differs, so the hooks ask the registry's ``LoggedModelService``
instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...tracking.entities import FileInfo
from .artifacts import ArtifactHandler


class LoggedModelArtifactHandler(ArtifactHandler):
    """``GET``/``PUT logged-models/{model_id}/artifacts/{path}``: one of the model's files."""

    owner_argument = "model_id"

    def file_to_read(self, owner: str, path: str) -> Path:
        return self.registry.logged_models.logged_model_artifact_file(self.caller, owner, path)

    def check_write(self, owner: str, path: str) -> object:
        return self.registry.logged_models.check_logged_model_artifact_write(
            self.caller, owner, path
        )

    def write_file(self, owner: str, path: str, source: BinaryIO) -> FileInfo:
        return self.registry.logged_models.write_logged_model_artifact(
            self.caller, owner, path, source
        )

    @web.authenticated
    @authorized
    async def get(self, model_id: str, path: str) -> None:
        await self.stream_download(model_id, path)

    @web.authenticated
    @authorized
    async def put(self, model_id: str, path: str) -> None:
        await self.store_upload(model_id, path)
