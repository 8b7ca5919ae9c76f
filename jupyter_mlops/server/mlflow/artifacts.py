"""MLflow's artifact service (``mlflow-artifacts``): files addressed by their path under
the artifact root, e.g. ``1/<run_id>/artifacts/plots/roc.png``.

Every path is confined to the artifact root before it touches the disk (MLflow's own
server shipped traversals here: CVE-2023-6730, CVE-2023-6831, CVE-2024-1560): ``..``
segments, absolute paths, backslashes, control characters and once- or twice-encoded
``..`` or separators are refused with 400, and symlinks are resolved and must stay
inside. Reads are open to every caller (as every run is readable). Writes and deletes
must land in a run's artifact folder (``<experiment>/<run_id>/artifacts/...``, the run's
user or an admin) or a logged model's (``<experiment>/models/<model_id>/artifacts/...``,
its creator or an admin); anything else is refused.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...errors import InvalidParameter, NotFound, PermissionDenied
from ...tracking.artifacts import split_artifact_path
from ..file_streaming import stream_file
from . import wire
from .call import Call
from .errors import NotImplementedByServer
from .handlers import MlflowHandler

_CHUNK = 1024 * 1024
_SPOOL_IN_MEMORY = 8 * 1024 * 1024


def confined_segments(path: str, field: str = "path") -> tuple[str, ...]:
    """The segments of a root-relative path, refusing anything that could leave the root,
    including ``..`` and separators hidden behind one or two rounds of percent-encoding."""
    segments = split_artifact_path(path, field)
    for segment in segments:
        decoded = segment
        for _ in range(3):
            decoded = unquote(decoded)
            if decoded in ("..", ".") or "/" in decoded or "\\" in decoded or "\x00" in decoded:
                raise InvalidParameter(
                    f"{field} must not contain an encoded '..' or separator", field=field
                )
    return segments


@dataclass(frozen=True, slots=True)
class Target:
    """Where a write lands: the owning folder (root-relative), the path inside it, and
    the run or the logged model that owns the folder."""

    location: str
    path: str
    run_id: str | None = None
    model_id: str | None = None


def writable_target(call: Call, segments: tuple[str, ...]) -> Target:
    """The run or logged-model folder a write to ``segments`` lands in, if the caller may
    write there; InvalidParameter / PermissionDenied otherwise."""
    if len(segments) >= 4 and segments[2] == "artifacts":
        run_id = segments[1]
        rest = "/".join(segments[3:])
        info = call.tracking.check_artifact_write(call.user, run_id, rest)
        if info.artifact_uri != "/".join(segments[:3]):
            raise InvalidParameter(
                f"{'/'.join(segments[:3])!r} is not the artifact folder of run {run_id!r}",
                field="path",
            )
        return Target(info.artifact_uri, rest, run_id=run_id)
    if len(segments) >= 5 and segments[1] == "models" and segments[3] == "artifacts":
        rest = "/".join(segments[4:])
        model = call.registry.logged_models.check_logged_model_artifact_write(
            call.user, segments[2], rest
        )
        if model.artifact_location != "/".join(segments[:4]):
            raise InvalidParameter(
                f"{'/'.join(segments[:4])!r} is not the artifact folder of model {segments[2]!r}",
                field="path",
            )
        return Target(model.artifact_location, rest, model_id=model.model_id)
    raise PermissionDenied(
        "Artifacts may only be written into a run's folder (<experiment>/<run_id>/artifacts/...) "
        "or a logged model's (<experiment>/models/<model_id>/artifacts/...)"
    )


def _read_path(call: Call, path: str) -> Path:
    segments = confined_segments(path)
    if len(segments) < 2:
        raise NotFound(f"No artifact at {path!r}")
    return call.tracking.artifacts.resolve_for_read(segments[0], "/".join(segments[1:]))


def list_artifacts(call: Call) -> dict[str, Any]:
    """``GET .../mlflow-artifacts/artifacts?path=<dir>``: the folder's entries, named
    relative to it."""
    segments = confined_segments(call.fields.text("path", ""))
    if not segments:
        return {"files": []}
    files = call.tracking.artifacts.list(segments[0], "/".join(segments[1:]))
    return {"files": [wire.file_info_json(f, f.path.rpartition("/")[2]) for f in files]}


def delete_artifacts(call: Call, path: str) -> None:
    """``DELETE .../mlflow-artifacts/artifacts/<path>``: the owning service deletes."""
    target = writable_target(call, confined_segments(path))
    if target.model_id is not None:
        call.registry.logged_models.delete_logged_model_artifact(
            call.user, target.model_id, target.path
        )
    else:
        assert target.run_id is not None
        call.tracking.delete_artifact(call.user, target.run_id, target.path)


def server_info(call: Call) -> dict[str, Any]:
    """``GET /api/3.0/mlflow/server-info``: no multipart or presigned transfers here."""
    return {
        "store_type": "SqlStore",
        "workspaces_enabled": False,
        "multipart_uploads_enabled": False,
        "multipart_downloads_enabled": False,
    }


def not_implemented(call: Call) -> dict[str, Any]:
    raise NotImplementedByServer(
        "Multipart and presigned artifact transfers are not offered by this server; "
        "files go through PUT/GET on mlflow-artifacts/artifacts"
    )


class MlflowArtifactHandler(MlflowHandler):
    """GET streams a file; PUT streams the body to disk, then stores it; DELETE removes.

    An upload is checked (identity, path, permission, run state, size) in ``prepare``,
    before its body is read, so a refused upload costs no disk. It is stored only once
    complete, atomically (as the native API's ``ArtifactHandler``).
    """

    upload_methods = frozenset({"PUT"})

    _spool: IO[bytes] | None = None
    _target: Target | None = None

    @property
    def content_security_policy(self) -> str:
        return super().content_security_policy + "; sandbox"

    def _call(self) -> Call:
        from .call import Fields

        return Call(self.caller, Fields({}), {}, self.settings)

    @web.authenticated
    @authorized
    async def get(self, path: str) -> None:
        file_path = await self.run(_read_path, self._call(), path)
        if await stream_file(self, file_path, "attachment") is not None:
            self.finish()

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if not await self.accept_upload():
            return
        call = self._call()
        segments = await self.run(confined_segments, self.path_kwargs["path"])
        self._target = await self.run(writable_target, call, segments)
        if not self._target.path:
            raise InvalidParameter("path must name a file", field="path")
        self._spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115

    async def receive_upload(self, chunk: bytes) -> None:
        if self._spool is not None:  # None once the request is over
            await self.run(self._spool.write, chunk)

    @web.authenticated
    @authorized
    async def put(self, path: str) -> None:
        spool, target = self._spool, self._target
        if spool is None or target is None:
            raise web.HTTPError(500)
        await self.run(spool.seek, 0)
        await self.run(self.service.artifacts.write, target.location, target.path, spool)
        self.set_header("Content-Type", "application/json")
        self.finish("{}")

    @web.authenticated
    @authorized
    async def delete(self, path: str) -> None:
        await self.run(delete_artifacts, self._call(), path)
        self.set_header("Content-Type", "application/json")
        self.finish("{}")

    def on_finish(self) -> None:
        self._close_spool()

    def on_connection_close(self) -> None:
        self._close_spool()
        super().on_connection_close()

    def _close_spool(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None
