"""Model-version sources: what may be registered, and where its files are (pure).

A version's ``source`` comes straight from users (and from the MLflow client), and its
files are later served to whoever loads the model, so a source that could name a file
outside the artifact store is refused outright. MLflow shipped this hole several times
(CVE-2023-1177, CVE-2023-2780, CVE-2023-6730, CVE-2023-6831, CVE-2024-1560,
CVE-2026-2614); our rule is an allow-list:

* ``runs:/<run_id>/<path>``: a path inside a run's artifact folder. The run id may be any
  id MLflow accepts (a letter or digit, then letters, digits, ``_`` or ``-``; at most 32
  characters, the width of MLflow's own column); a run we do not know is a dangling
  reference, recorded as given (the version's files are then nowhere here);
* ``models:/<model_id>``: an MLflow 3 logged model (its whole folder, nothing below or
  above), likewise recorded as given when we do not know it;
* ``models:/<name>/<version>``, ``models:/<name>/latest``, ``models:/<name>/<stage>``,
  ``models:/<name>@<alias>``: the files of another registered version (MLflow records the
  resolved ``models:/<name>/<version>``);
* ``mlflow-artifacts:/<path>`` and ``mlflow-artifacts://<this server>/<path>``: a path
  relative to the artifact root, as the MLflow-compatible API spells our artifact
  locations (another host is refused: we never fetch from elsewhere);
* ``s3://``, ``gs://``, ``wasbs://``, ``abfss://``, ``oss://`` URIs inside an object store an
  admin allowed (``c.Tracking.external_artifact_stores``): recorded, never opened;
* ``<path>``: a plain artifact-root-relative path such as ``1/<run_id>/artifacts/model``.

Paths follow :func:`~jupyter_mlops.tracking.artifacts.split_artifact_path` (no ``..``,
no absolute paths, no backslashes, no control characters) and, since sources are URIs,
must hold no percent-escape at all: ``%2e%2e%2f`` and ``%252e%252e%252f`` mean ``../``
to some decoder somewhere, so no decoding question is ever left open. Every other scheme
(``file:``, ``http:``, ...) is refused. Breaking a rule raises
``InvalidParameter(field="source")`` whose message starts as MLflow's does
(``Invalid model version source: '<source>'.``), which its users match on.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from ..errors import InvalidParameter
from ..tracking.artifacts import split_artifact_path
from ..tracking.external_stores import (
    OBJECT_STORE_SCHEMES,
    inside_external_store,
    outside_stores_error,
)

FIELD = "source"
MAX_SOURCE_LENGTH = 1024

#: A run id as MLflow accepts it, at most as wide as the columns that hold it (32).
RUN_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,31}")
#: A logged model id as MLflow accepts it, at most as wide as our column (34: m-<32 hex>).
LOGGED_MODEL_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,33}")
#: The ids this server hands out; only these can name a run or logged model here.
OWN_RUN_ID = re.compile(r"[0-9a-f]{32}")
OWN_LOGGED_MODEL_ID = re.compile(r"m-[0-9a-f]{32}")
STAGES = ("None", "Staging", "Production", "Archived")

_VERSION = re.compile(r"[1-9][0-9]{0,9}")
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")

SourceKind = Literal["run", "logged_model", "model_version", "artifact", "external"]


@dataclass(frozen=True, slots=True)
class ParsedSource:
    """A checked source.

    ``path`` is relative to the run's artifact folder for ``run`` and to the artifact root
    for ``artifact``; for ``model_version`` the version is named by ``name`` and one of
    ``path`` (a number, ``latest`` or a stage) or ``alias``. ``external`` is an allowed
    object-store URI, recorded as ``source``.
    """

    kind: SourceKind
    source: str  # normalised: what the version records
    path: str = ""
    run_id: str | None = None
    model_id: str | None = None
    name: str | None = None
    alias: str | None = None


def is_stored_here(location: str) -> bool:
    """Whether a version's ``storage_location`` is a folder of our artifact store (an
    artifact-root-relative path) rather than a URI recorded as given (a dangling
    ``runs:/``/``models:/`` reference or an allowed object store)."""
    return bool(location) and _URI_SCHEME.match(location) is None


def invalid_source(source: str, detail: str, field: str = FIELD) -> InvalidParameter:
    """MLflow's wording, which its users match on, then what is wrong and what to do."""
    return InvalidParameter(f"Invalid model version source: '{source}'. {detail}", field=field)


def _segments(path: str) -> tuple[str, ...]:
    # Same rules as artifact paths, but reported as the source's fault.
    return split_artifact_path(path, field=FIELD)


def parse_source(
    source: object,
    own_hosts: Collection[str] = (),
    external_stores: Collection[str] = (),
) -> ParsedSource:
    """Check ``source`` and say what it names; InvalidParameter(field="source") if refused.

    ``own_hosts``: the ``host[:port]`` authorities that name this server in
    ``mlflow-artifacts://`` URIs (lower case). ``external_stores``: the normalised
    object-store prefixes an admin allowed.
    """
    if not isinstance(source, str):
        raise InvalidParameter("source must be a string", field=FIELD)
    if not source.strip():
        raise InvalidParameter("source must not be empty", field=FIELD)
    if len(source) > MAX_SOURCE_LENGTH:
        raise invalid_source(source[:64] + "...", f"It is longer than {MAX_SOURCE_LENGTH} chars.")
    if "\\" in source:
        raise invalid_source(source, "It must use '/' as separator, not '\\'.")
    if _PERCENT_ESCAPE.search(source):
        raise invalid_source(source, "It must not contain percent-escapes (such as %2e).")
    scheme_match = _SCHEME.match(source)
    if scheme_match is None:
        return _artifact(source, source)
    scheme = scheme_match[1].lower()
    rest = source[scheme_match.end() :]
    if scheme == "runs":
        return _run(rest, source)
    if scheme == "models":
        return _model_reference(rest, source)
    if scheme == "mlflow-artifacts":
        return _mlflow_artifacts(rest, source, own_hosts)
    if scheme in OBJECT_STORE_SCHEMES:
        if any(ord(c) < 32 or ord(c) == 127 for c in source) or not inside_external_store(
            source, external_stores
        ):
            raise outside_stores_error(FIELD, source, external_stores)
        return ParsedSource("external", source)
    raise invalid_source(
        source,
        f"The scheme {scheme_match[1]!r} is not accepted; use runs:/<run_id>/<path>, "
        "models:/<model id>, models:/<name>/<version>, mlflow-artifacts:/<path>, an "
        "artifact-store path or an allowed object store (c.Tracking.external_artifact_stores).",
    )


def _run(rest: str, source: str) -> ParsedSource:
    if not rest.startswith("/") or rest.startswith("//"):
        raise invalid_source(source, "Use runs:/<run_id>/<path>.")
    run_id, _, path = rest[1:].partition("/")
    if not RUN_REFERENCE.fullmatch(run_id):
        raise invalid_source(
            source,
            f"{run_id!r} is not a run id (a letter or digit, then letters, digits, '_' or "
            "'-', at most 32 characters); use runs:/<run_id>/<path>.",
        )
    segments = _segments(path)
    normalised = "/".join(segments)
    return ParsedSource(
        "run",
        f"runs:/{run_id}/{normalised}" if normalised else f"runs:/{run_id}",
        path=normalised,
        run_id=run_id,
    )


def _model_reference(rest: str, source: str) -> ParsedSource:
    usage = (
        "Use models:/<model id> (a logged model, nothing below it), models:/<name>/<version>, "
        "models:/<name>/latest, models:/<name>/<stage> or models:/<name>@<alias>."
    )
    if not rest.startswith("/") or rest.startswith("//"):
        raise invalid_source(source, usage)
    body = rest[1:]
    if body.endswith("/"):
        body = body[:-1]
    parts = body.split("/")
    if len(parts) == 2:
        name, selector = parts
        if not name.strip() or name in (".", ".."):
            raise invalid_source(source, usage)
        if _VERSION.fullmatch(selector):
            return ParsedSource("model_version", f"models:/{name}/{selector}", selector, name=name)
        if selector.lower() == "latest":
            return ParsedSource("model_version", source, "latest", name=name)
        for stage in STAGES:
            if selector.lower() == stage.lower():
                return ParsedSource("model_version", source, stage, name=name)
        raise invalid_source(source, usage)
    if len(parts) == 1 and "@" in body:
        name, _, alias = body.rpartition("@")
        if name.strip() and alias.strip():
            return ParsedSource("model_version", source, name=name, alias=alias)
        raise invalid_source(source, usage)
    if len(parts) == 1 and LOGGED_MODEL_REFERENCE.fullmatch(body):
        return ParsedSource("logged_model", f"models:/{body}", model_id=body)
    raise invalid_source(source, usage)


def _mlflow_artifacts(rest: str, source: str, own_hosts: Collection[str]) -> ParsedSource:
    if rest.startswith("//"):  # an authority: empty (mlflow-artifacts:///1/...) or a host
        authority, slash, path = rest[2:].partition("/")
        if authority and authority.lower() not in own_hosts:
            raise invalid_source(
                source,
                f"It names the host {authority!r}, which is not this server; this server "
                "reads model files only from its own artifact store.",
            )
        rest = slash + path
    if not rest.startswith("/") or rest.startswith("//"):
        raise invalid_source(source, "Use mlflow-artifacts:/<path inside the artifact store>.")
    return _artifact(rest[1:], source)


def _artifact(path: str, original: str) -> ParsedSource:
    if path.startswith("/"):
        raise invalid_source(original, "It must be relative to the artifact store, not absolute.")
    if path.startswith("~"):
        raise invalid_source(original, "It must be relative to the artifact store, not a home.")
    segments = _segments(path)
    if not segments:
        raise invalid_source(original, "It must name a folder inside the artifact store.")
    normalised = "/".join(segments)
    shown = (
        f"mlflow-artifacts:/{normalised}" if original.lower().startswith("mlflow") else normalised
    )
    return ParsedSource("artifact", shown, path=normalised)


def join_location(folder: str, path: str) -> str:
    """``folder`` (artifact-root-relative, trusted) joined with a checked relative path."""
    folder = folder.strip("/")
    return f"{folder}/{path}" if path else folder
