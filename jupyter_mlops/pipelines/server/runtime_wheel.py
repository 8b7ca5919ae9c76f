"""The step runtime as a wheel: the server's own installed jupyter-mlops, rebuilt from the
installed distribution, so that a step image without jupyter-mlops gets exactly the code
(and version) of the server that created its pod, from that server, with no package index.

The wheel holds the Python package only (no labextension, no shared data, no bytecode)
plus the distribution's metadata, and a WHEEL and RECORD written here. It works for a
regular install, whose RECORD lists the package's files, and for an editable one, whose
RECORD lists only a ``.pth`` file: the package folder is then read where Python imports
it from. Bytes are deterministic (sorted names, fixed timestamps) for the same files.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.util
import io
import re
import threading
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

from ..._version import __version__

PACKAGE = "jupyter_mlops"
#: The runtime wheel's tag: the package is pure Python.
PURE_TAG = "py3-none-any"
#: Parts of the package that steps never need (the prebuilt lab extension's static files).
RUNTIME_EXCLUDES = (f"{PACKAGE}/labextension/", f"{PACKAGE}/tests/")
# Members of the installed .dist-info that describe an installation, not the distribution.
_INSTALL_ONLY = frozenset({"RECORD", "INSTALLER", "REQUESTED", "WHEEL", "direct_url.json"})
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Wheel:
    filename: str
    data: bytes


def runtime_wheel_filename(version: str = __version__) -> str:
    """The runtime wheel's file name, which the step bootstrap asks the server for."""
    return f"{PACKAGE}-{version}-{PURE_TAG}.whl"


def build_runtime_wheel() -> Wheel:
    """jupyter-mlops as installed here, as a pure wheel named by ``runtime_wheel_filename``.

    The version is ``__version__`` of the code itself: with an editable install, the
    metadata's version can lag behind the source tree it points to."""
    return build_wheel(
        metadata.distribution(PACKAGE),
        packages=[PACKAGE],
        exclude=RUNTIME_EXCLUDES,
        version=__version__,
        tag=PURE_TAG,
    )


def build_wheel(
    distribution: metadata.Distribution,
    *,
    packages: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    version: str | None = None,
    tag: str = PURE_TAG,
) -> Wheel:
    """A wheel of an installed ``distribution``: the files of its top-level ``packages``
    (default: every top-level package or module its RECORD names) but those under the
    ``exclude`` prefixes, its metadata, and a WHEEL and RECORD made here. ``version``
    replaces the metadata's version."""
    name = _normalise(distribution.metadata["Name"])
    version = version or distribution.version
    dist_info = f"{name}-{version}.dist-info"
    tops = list(packages) if packages is not None else _top_levels(distribution)
    members = [
        (archive_name, path)
        for archive_name, path in _package_files(distribution, tops)
        if not archive_name.startswith(tuple(exclude))
    ]
    if not members:
        raise RuntimeError(f"no files of {', '.join(tops)} found in {name} {version}")
    metadata_files = _metadata_files(distribution, dist_info, version)
    metadata_files.append(
        (
            f"{dist_info}/WHEEL",
            (
                "Wheel-Version: 1.0\n"
                "Generator: jupyter-mlops runtime_wheel\n"
                "Root-Is-Purelib: true\n"
                f"Tag: {tag}\n"
            ).encode(),
        )
    )
    buffer = io.BytesIO()
    record = io.StringIO()
    rows = csv.writer(record, lineterminator="\n")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = [(n, p.read_bytes()) for n, p in sorted(members)] + metadata_files
        for archive_name, data in entries:
            _write(archive, archive_name, data)
            rows.writerow([archive_name, f"sha256={_digest(data)}", len(data)])
        rows.writerow([f"{dist_info}/RECORD", "", ""])
        _write(archive, f"{dist_info}/RECORD", record.getvalue().encode())
    return Wheel(f"{name}-{version}-{tag}.whl", buffer.getvalue())


class RuntimeWheelCache:
    """Builds the runtime wheel once, on first use (a fraction of a second of file reads
    and compression), and keeps it: the installed code does not change while the server
    runs. Thread-safe: concurrent first requests build it once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wheel: Wheel | None = None

    def get(self) -> Wheel:
        with self._lock:
            if self._wheel is None:
                self._wheel = build_runtime_wheel()
            return self._wheel


def _normalise(name: str) -> str:
    # The wheel spec's file-name escaping of a project name.
    return re.sub(r"[-_.]+", "_", name).lower()


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _wanted(parts: Iterable[str]) -> bool:
    parts = list(parts)
    return not (
        "__pycache__" in parts
        or any(part.startswith(".") for part in parts)
        or parts[-1].endswith((".pyc", ".pyo"))
    )


def _top_levels(distribution: metadata.Distribution) -> list[str]:
    tops = {
        file.parts[0]
        for file in distribution.files or ()
        if len(file.parts) > 0
        and file.parts[0] != ".."
        and not file.parts[0].endswith((".dist-info", ".pth"))
        and file.parts[0] != "__pycache__"
    }
    return sorted(tops)


def _package_files(
    distribution: metadata.Distribution, packages: Sequence[str]
) -> list[tuple[str, Path]]:
    """(name in the wheel, file on disk) of every file of ``packages``."""
    files: list[tuple[str, Path]] = []
    for package in packages:
        listed = [
            file
            for file in distribution.files or ()
            if file.parts and file.parts[0] == package and _wanted(file.parts)
        ]
        if listed:  # a regular install: its RECORD names every file
            files += [(file.as_posix(), Path(str(file.locate()))) for file in listed]
            continue
        # An editable install: RECORD names a .pth (or an import hook), not the files.
        # Python knows where the package is imported from; take what is there.
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError(f"cannot find the files of package {package!r}")
        root = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(root.rglob("*")):
            relative = PurePosixPath(package, *path.relative_to(root).parts)
            if path.is_file() and _wanted(relative.parts):
                files.append((relative.as_posix(), path))
    return files


def _metadata_files(
    distribution: metadata.Distribution, dist_info: str, version: str
) -> list[tuple[str, bytes]]:
    """METADATA (with ``version``) and the other distribution files of the installed
    .dist-info (entry points, licenses), renamed to ``dist_info``."""
    text = distribution.read_text("METADATA")
    if text is None:
        raise RuntimeError(f"the installed {dist_info} has no METADATA")
    found = {"METADATA": _with_version(text.encode(), version)}
    for file in distribution.files or ():
        inner = PurePosixPath(*file.parts[1:]).as_posix()
        kept = inner not in _INSTALL_ONLY | {"METADATA"} and _wanted(file.parts)
        if file.parts[0].endswith(".dist-info") and kept:
            found[inner] = Path(str(file.locate())).read_bytes()
    return sorted((f"{dist_info}/{inner}", data) for inner, data in found.items())


def _with_version(metadata_bytes: bytes, version: str) -> bytes:
    # Only the header's Version line; the description after the blank line stays as is.
    head, blank, body = metadata_bytes.partition(b"\n\n")
    head = re.sub(rb"(?m)^Version: .*$", b"Version: " + version.encode(), head, count=1)
    return head + blank + body
