"""Downloading a file or a whole folder of artifacts, whoever owns the folder (a run, a
logged model): the transports move single files, this walks the tree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import InvalidParameter, NotFound
from ..tracking.entities import FileInfo


def _inside(local: Path, root: Path) -> Path:
    """``local``, created up to its parent, if it stays inside ``root`` (a server-sent name
    must never land a file outside the download folder)."""
    if not local.resolve().is_relative_to(root.resolve()):
        raise InvalidParameter(f"Artifact path escapes {root}: {local}", field="path")
    local.parent.mkdir(parents=True, exist_ok=True)
    return local


def download_tree(
    list_files: Callable[[str], list[FileInfo]],
    download_file: Callable[[str, Path], None],
    path: str,
    dst: Path,
    owner: str,
) -> Path:
    """Download the file or folder at ``path`` (normalised; ``""``: the whole tree, into
    ``dst`` itself) of an artifact folder reached through ``list_files(folder)`` and
    ``download_file(path, local_file)``; returns where it landed (``dst/<name>`` for a
    named file or folder). ``owner`` names the folder's owner in errors ("Run <id>")."""
    dst.mkdir(parents=True, exist_ok=True)
    if not path:
        _download_folder(list_files, download_file, "", dst, dst)
        return dst
    parent, _, name = path.rpartition("/")
    entry = next((f for f in list_files(parent) if f.path == path), None)
    if entry is None:
        raise NotFound(f"{owner} has no artifact {path!r}.", field="path")
    if entry.is_dir:
        _download_folder(list_files, download_file, path, dst / name, dst)
    else:
        download_file(path, _inside(dst / name, dst))
    return dst / name


def _download_folder(
    list_files: Callable[[str], list[FileInfo]],
    download_file: Callable[[str, Path], None],
    path: str,
    local_dir: Path,
    dst: Path,
) -> None:
    local_dir.mkdir(parents=True, exist_ok=True)
    prefix = f"{path}/" if path else ""
    for entry in list_files(path):
        local = _inside(local_dir / entry.path.removeprefix(prefix), dst)
        if entry.is_dir:
            _download_folder(list_files, download_file, entry.path, local, dst)
        else:
            download_file(entry.path, local)
