"""Artifacts: list a folder, download a file (streamed), upload a file (streamed)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import IO, BinaryIO

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...tracking.entities import FileInfo
from ..file_streaming import stream_file
from ..serialization import file_info_json
from .base import MlopsAPIHandler

_CHUNK = 1024 * 1024
# Uploads up to this size stay in memory; larger ones spill to a temporary file.
_SPOOL_IN_MEMORY = 8 * 1024 * 1024


class ArtifactListHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        await self.write_listing(run_id)

    def list_files(self, owner: str, path: str) -> list[FileInfo]:
        """The folder's entries (runs in the thread pool); subclasses list other owners'."""
        return self.service.list_artifacts(self.caller, owner, path)

    async def write_listing(self, owner: str) -> None:
        files = await self.run(self.list_files, owner, self.get_query_argument("path", ""))
        self.write_json({"files": [file_info_json(f) for f in files]})


class ArtifactHandler(MlopsAPIHandler):
    """GET streams a file out in chunks; PUT streams the raw body in, then stores it.

    The body of a PUT arrives after ``prepare``, so that is where an upload is checked
    (identity, permission, run state, size) and refused before its bytes are read. It is
    spooled (in memory up to 8 MiB, then in a temporary file) and written into the store
    only once complete, atomically: an upload refused half-way (413 past
    ``max_upload_bytes``, 507 on a full disk) leaves the stored file as it was.

    The folder belongs to a run here; a subclass serves another owner's folder (a logged
    model's) by naming its URL group in ``owner_argument`` and overriding the three
    service hooks ``file_to_read``, ``check_write`` and ``write_file``.
    """

    #: The URL group naming the folder's owner.
    owner_argument = "run_id"
    upload_methods = frozenset({"PUT"})

    _spool: IO[bytes] | None = None

    @property
    def content_security_policy(self) -> str:
        # An HTML or SVG artifact must never run script with the server's origin.
        return super().content_security_policy + "; sandbox"

    def compute_etag(self) -> str | None:
        return None  # streamed bodies: no whole-body hash to compare

    # -- the folder's owner (hooks, run in the thread pool) ---------------------------------
    def file_to_read(self, owner: str, path: str) -> Path:
        return self.service.artifact_file(self.caller, owner, path)

    def check_write(self, owner: str, path: str) -> object:
        return self.service.check_artifact_write(self.caller, owner, path)

    def write_file(self, owner: str, path: str, source: BinaryIO) -> FileInfo:
        return self.service.write_artifact(self.caller, owner, path, source)

    # -- download --------------------------------------------------------------------------
    @web.authenticated
    @authorized
    async def get(self, run_id: str, path: str) -> None:
        await self.stream_download(run_id, path)

    async def stream_download(self, owner: str, path: str) -> None:
        file_path = await self.run(self.file_to_read, owner, path)
        content_type = await stream_file(self, file_path, "inline")
        if content_type is not None:
            self.finish(set_content_type=content_type)

    # -- upload ----------------------------------------------------------------------------
    async def prepare(self) -> None:  # type: ignore[override]  # as APIHandler.prepare
        await super().prepare()  # authenticates (403 without a user)
        if not await self.accept_upload():
            return
        await self.run(
            self.check_write, self.path_kwargs[self.owner_argument], self.path_kwargs["path"]
        )
        # Closed in on_finish / on_connection_close: it outlives this method by design.
        self._spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115

    async def receive_upload(self, chunk: bytes) -> None:
        if self._spool is not None:  # None once the request is over
            await self.run(self._spool.write, chunk)

    @web.authenticated
    @authorized
    async def put(self, run_id: str, path: str) -> None:
        await self.store_upload(run_id, path)

    async def store_upload(self, owner: str, path: str) -> None:
        spool = self._spool
        if spool is None:  # prepare always sets it for PUT; guard against misuse
            raise web.HTTPError(500)
        await self.run(spool.seek, 0)
        info = await self.run(self.write_file, owner, path, spool)
        self.write_json({"file": file_info_json(info)}, status=201)

    def on_finish(self) -> None:
        self._close_spool()

    def on_connection_close(self) -> None:
        self._close_spool()
        super().on_connection_close()

    def _close_spool(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None
