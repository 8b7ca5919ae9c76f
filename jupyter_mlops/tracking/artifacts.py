"""Run artifacts on a local (or mounted) file system.

Every run owns one folder under the artifact root (its ``artifact_uri``, relative to the
root). Callers address files inside it with ``"/"``-separated relative paths that come
straight from users, so every path is normalised and confined before it touches the disk:
no ``..`` segments, no absolute paths, no backslashes, no NUL or control characters, and
no symlink that resolves outside the run's folder. Breaking a rule raises
``InvalidParameter(field="path")``; nothing is ever read or written outside the folder.

Writes go to a temporary file next to the target and are renamed into place, so a reader
sees either the old file or the whole new one, never half of it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import InvalidParameter, NotFound
from .entities import FileInfo, is_external_location

_TEMP_PREFIX = ".mlops-upload-"
_COPY_CHUNK = 1024 * 1024
_MAX_SEGMENT_BYTES = 255  # NAME_MAX on every file system we care about
_MAX_PATH_CHARS = 1024


def split_artifact_path(path: str, field: str = "path") -> tuple[str, ...]:
    """Normalise a user-supplied artifact path into its segments.

    ``""``, ``"."`` and ``"a/"`` are fine (the root, the root, ``a``); empty and ``.``
    segments are dropped. Anything that could name a file outside the folder is refused.
    A percent sign is just a character here: decoding URLs is the HTTP layer's job, and a
    literal ``%2e%2e`` is a harmless file name.
    """
    if not isinstance(path, str):
        raise InvalidParameter(f"{field} must be a string", field=field)
    if len(path) > _MAX_PATH_CHARS:
        raise InvalidParameter(f"{field} is longer than {_MAX_PATH_CHARS} characters", field=field)
    if "\\" in path:
        raise InvalidParameter(f"{field} must use '/' as separator, not '\\'", field=field)
    if any(unicodedata.category(c) == "Cc" for c in path):
        raise InvalidParameter(f"{field} must not contain NUL or control characters", field=field)
    if path.startswith("/"):
        raise InvalidParameter(f"{field} must be relative, not absolute", field=field)
    segments = tuple(s for s in path.split("/") if s not in ("", "."))
    if ".." in segments:
        raise InvalidParameter(f"{field} must not contain '..' segments", field=field)
    for segment in segments:
        try:
            size = len(segment.encode("utf-8"))
        except UnicodeEncodeError:
            raise InvalidParameter(f"{field} is not valid Unicode text", field=field) from None
        if size > _MAX_SEGMENT_BYTES:
            raise InvalidParameter(
                f"{field} has a segment longer than {_MAX_SEGMENT_BYTES} bytes", field=field
            )
    return segments


def _is_inside(candidate: Path, folder: Path) -> bool:
    return candidate == folder or folder in candidate.parents


class LocalArtifactRepository:
    """Artifacts of every run, stored under ``root``.

    ``location`` arguments are a run's ``artifact_uri`` (relative to ``root``, written by
    the store, e.g. ``"1/<run_id>/artifacts"``); ``path`` arguments come from users.
    Safe to use from several threads.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- helpers -------------------------------------------------------------------------
    def run_folder(self, location: str) -> Path:
        """The absolute folder of a run's artifacts (it may not exist yet)."""
        if is_external_location(location):
            # Recorded for MLflow's client, which reads and writes there itself.
            raise InvalidParameter(
                f"The artifacts at {location!r} are in an external object store: the client "
                "reads and writes them there; this server does not open it",
                field="artifact_uri",
            )
        segments = split_artifact_path(location, field="artifact_uri")
        if not segments:
            raise InvalidParameter("artifact_uri must name a folder", field="artifact_uri")
        folder = self.root.joinpath(*segments)
        if not _is_inside(folder.resolve(), self.root.resolve()):
            raise InvalidParameter(
                "artifact_uri resolves outside the artifact root", field="artifact_uri"
            )
        return folder

    def _confined(self, location: str, path: str) -> tuple[Path, Path, tuple[str, ...]]:
        """(resolved run folder, candidate path, segments), the candidate checked to stay
        inside the run folder after following every symlink that exists right now."""
        segments = split_artifact_path(path)
        folder = self.run_folder(location).resolve()
        candidate = folder.joinpath(*segments)
        if not _is_inside(candidate.resolve(), folder):
            raise InvalidParameter("path leads outside the run's artifact folder", field="path")
        return folder, candidate, segments

    # -- reading -------------------------------------------------------------------------
    def list(self, location: str, path: str = "") -> list[FileInfo]:
        """The entries of one folder (not recursive), sorted by name.

        Paths in the result are relative to the run's artifact folder. A folder that does
        not exist (no artifacts yet) or a path naming a file gives ``[]``. Symlinks leading
        outside the run's folder are left out.
        """
        folder, target, segments = self._confined(location, path)
        if not target.is_dir():
            return []
        prefix = "/".join(segments)
        infos: list[FileInfo] = []
        for entry in sorted(self._entries(target), key=lambda e: e.name):
            if entry.name.startswith(_TEMP_PREFIX):
                continue
            if entry.is_symlink() and not _is_inside(Path(entry.path).resolve(), folder):
                continue
            rel = f"{prefix}/{entry.name}" if prefix else entry.name
            try:
                if entry.is_dir():
                    infos.append(FileInfo(path=rel, is_dir=True, file_size=None))
                elif entry.is_file():
                    infos.append(FileInfo(path=rel, is_dir=False, file_size=entry.stat().st_size))
            except FileNotFoundError:  # removed (or a dangling link) while we looked
                continue
        return infos

    @staticmethod
    def _entries(folder: Path) -> Iterator[os.DirEntry[str]]:
        with os.scandir(folder) as entries:
            yield from entries

    def resolve_for_read(self, location: str, path: str) -> Path:
        """The absolute path of an existing regular file inside the run's folder.

        NotFound when there is no such file (a folder is not a file).
        """
        _, target, segments = self._confined(location, path)
        if not segments:
            raise InvalidParameter("path must name a file", field="path")
        resolved = target.resolve()
        if not resolved.is_file():
            raise NotFound(f"No artifact at {'/'.join(segments)!r}")
        return resolved

    # -- writing -------------------------------------------------------------------------
    def write(self, location: str, path: str, source: bytes | BinaryIO) -> FileInfo:
        """Write one file (bytes, or a binary stream read to its end), creating folders.

        Replaces an existing file atomically. InvalidParameter(field="path") when the path
        is refused, names a folder, or crosses an existing file.
        """
        folder, target, segments = self._confined(location, path)
        if not segments:
            raise InvalidParameter("path must name a file", field="path")
        rel = "/".join(segments)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise InvalidParameter(
                f"cannot create {rel!r}: a parent of it is a file", field="path"
            ) from None
        # Checked again after mkdir: a symlink may have appeared in between.
        parent = target.parent.resolve()
        if not _is_inside(parent, folder):
            raise InvalidParameter("path leads outside the run's artifact folder", field="path")
        destination = parent / target.name
        if destination.is_dir():
            raise InvalidParameter(f"{rel!r} is a folder", field="path")

        # Not tempfile.mkstemp: its 0600 mode would survive the rename, whereas os.open
        # applies the process umask like any other file the server writes.
        temp_name = parent / f"{_TEMP_PREFIX}{secrets.token_hex(8)}"
        fd = os.open(temp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(fd, "wb") as temp:
                if isinstance(source, (bytes, bytearray, memoryview)):
                    temp.write(source)
                else:
                    shutil.copyfileobj(source, temp, _COPY_CHUNK)
                size = temp.tell()
            os.replace(temp_name, destination)
        except BaseException:
            temp_name.unlink(missing_ok=True)
            raise
        return FileInfo(path=rel, is_dir=False, file_size=size)

    # -- deleting ------------------------------------------------------------------------
    def delete(self, location: str, path: str) -> None:
        """Delete the file or folder (with its contents) at ``path`` in the folder.

        A symlink (one that stays inside) is removed, never followed.
        InvalidParameter(field="path") when the path is refused or names the folder
        itself; NotFound when nothing is there.
        """
        _, target, segments = self._confined(location, path)
        if not segments:
            raise InvalidParameter("path must name a file or folder", field="path")
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
        else:
            raise NotFound(f"No artifact at {'/'.join(segments)!r}")
