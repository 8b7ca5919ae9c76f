"""Model-version sources: what may be registered, and where its files are (pure).

A version's ``source`` comes straight from users (and from the MLflow client), and its
files are later served to whoever loads the model, so a source that could name a file
outside the artifact store is refused outright. MLflow shipped this hole several times
(CVE-2023-1177, CVE-2023-2780, CVE-2026-2614); our rule is an allow-list:

* ``runs:/<run_id>/<path>``: a path inside a run's artifact folder;
* ``models:/m-<id>``: an MLflow 3 logged model (its whole folder, nothing below or above);
* ``models:/<name>/<version>``: the files of another registered version;
* ``mlflow-artifacts:/<path>``: a path relative to the artifact root, as the
  MLflow-compatible API spells our artifact locations;
* ``<path>``: a plain artifact-root-relative path such as ``1/<run_id>/artifacts/model``.

Paths follow :func:`~jupyter_mlops.tracking.artifacts.split_artifact_path` (no ``..``,
no absolute paths, no backslashes, no control characters) and, since sources are URIs,
must hold no percent-escape at all: ``%2e%2e%2f`` and ``%252e%252e%252f`` mean ``../``
to some decoder somewhere, so no decoding question is ever left open. Every other scheme
(``file:``, ``s3:``, ``http:``, ...) is refused. Breaking a rule raises
``InvalidParameter(field="source")``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..errors import InvalidParameter
from ..tracking.artifacts import split_artifact_path

FIELD = "source"
MAX_SOURCE_LENGTH = 1024

_RUN_ID = re.compile(r"[0-9a-f]{32}")
_LOGGED_MODEL_ID = re.compile(r"m-[0-9a-f]{32}")
_VERSION = re.compile(r"[1-9][0-9]{0,9}")
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")

SourceKind = Literal["run", "logged_model", "model_version", "artifact"]


@dataclass(frozen=True, slots=True)
class ParsedSource:
    """A checked source. ``path`` is relative to the run's artifact folder for ``run``,
    to the artifact root for ``artifact``, the version number for ``model_version``
    (of the registered model ``name``), and empty for ``logged_model``."""

    kind: SourceKind
    source: str  # normalised: what the version records
    path: str = ""
    run_id: str | None = None
    model_id: str | None = None
    name: str | None = None


def _refuse(message: str) -> InvalidParameter:
    return InvalidParameter(f"source {message}", field=FIELD)


def _segments(path: str) -> tuple[str, ...]:
    # Same rules as artifact paths, but reported as the source's fault.
    return split_artifact_path(path, field=FIELD)


def parse_source(source: object) -> ParsedSource:
    """Check ``source`` and say what it names; InvalidParameter(field="source") if refused."""
    if not isinstance(source, str):
        raise _refuse("must be a string")
    if not source.strip():
        raise _refuse("must not be empty")
    if len(source) > MAX_SOURCE_LENGTH:
        raise _refuse(f"is longer than {MAX_SOURCE_LENGTH} characters")
    if "\\" in source:
        raise _refuse("must use '/' as separator, not '\\'")
    if _PERCENT_ESCAPE.search(source):
        raise _refuse("must not contain percent-escapes (such as %2e)")
    scheme_match = _SCHEME.match(source)
    if scheme_match is None:
        return _artifact(source, source)
    scheme = scheme_match[1].lower()
    rest = source[scheme_match.end() :]
    if scheme == "runs":
        return _run(rest)
    if scheme == "models":
        return _logged_model(rest)
    if scheme == "mlflow-artifacts":
        if rest.startswith("///"):  # an empty authority: mlflow-artifacts:///1/...
            rest = rest[2:]
        if not rest.startswith("/") or rest.startswith("//"):
            raise _refuse("must be mlflow-artifacts:/<path inside the artifact store>")
        return _artifact(rest[1:], source)
    raise _refuse(
        f"scheme {scheme_match[1]!r} is not accepted; use runs:/<run_id>/<path>, "
        "models:/m-<model id>, mlflow-artifacts:/<path> or an artifact-store path"
    )


def _run(rest: str) -> ParsedSource:
    if not rest.startswith("/") or rest.startswith("//"):
        raise _refuse("must be runs:/<run_id>/<path>")
    run_id, _, path = rest[1:].partition("/")
    if not _RUN_ID.fullmatch(run_id):
        raise _refuse(f"names no valid run id ({run_id!r}); use runs:/<run_id>/<path>")
    segments = _segments(path)
    normalised = "/".join(segments)
    return ParsedSource(
        "run",
        f"runs:/{run_id}/{normalised}" if normalised else f"runs:/{run_id}",
        path=normalised,
        run_id=run_id,
    )


def _logged_model(rest: str) -> ParsedSource:
    model_id = rest[1:] if rest.startswith("/") and not rest.startswith("//") else ""
    if model_id.endswith("/"):
        model_id = model_id[:-1]
    if _LOGGED_MODEL_ID.fullmatch(model_id):
        return ParsedSource("logged_model", f"models:/{model_id}", model_id=model_id)
    # Another registered version (MLflow's copy_model_version sends models:/<name>/<n>):
    # its files are wherever that version's are, which were checked when it was made.
    name, _, version = model_id.partition("/")
    if name and _VERSION.fullmatch(version) and not name.startswith("m-"):
        return ParsedSource("model_version", f"models:/{name}/{version}", path=version, name=name)
    raise _refuse(
        "must be models:/m-<32 hexadecimal characters> (a logged model, nothing below it) "
        "or models:/<name>/<version>"
    )


def _artifact(path: str, original: str) -> ParsedSource:
    if path.startswith("/"):
        raise _refuse("must be relative to the artifact store, not an absolute path")
    if path.startswith("~"):
        raise _refuse("must be relative to the artifact store, not a home folder")
    segments = _segments(path)
    if not segments:
        raise _refuse("must name a folder inside the artifact store")
    normalised = "/".join(segments)
    shown = (
        f"mlflow-artifacts:/{normalised}" if original.lower().startswith("mlflow") else normalised
    )
    return ParsedSource("artifact", shown, path=normalised)


def join_location(folder: str, path: str) -> str:
    """``folder`` (artifact-root-relative, trusted) joined with a checked relative path."""
    folder = folder.strip("/")
    return f"{folder}/{path}" if path else folder
