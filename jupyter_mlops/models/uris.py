"""Model URIs to local model folders.

Accepted: a local folder (or ``file://`` URI) holding an MLmodel; ``runs:/<run_id>/<path>``
(a model among a run's artifacts, or the run's logged model of that name);
``models:/<name>/<version>``, ``models:/<name>/latest``, ``models:/<name>@<alias>`` and
``models:/m-<id>``, resolved by the model registry of the tracking server.
Remote models are downloaded to a temporary folder (or ``dst_path``).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from ..errors import InvalidParameter, NotFound
from .storage import download_location, download_logged_model

_RUNS = re.compile(r"^runs:/(?P<run_id>[^/]+)/(?P<path>.+)$")
_MODELS = re.compile(r"^models:/(?P<rest>.+)$")


@dataclass(frozen=True)
class ModelReference:
    """A parsed model URI: exactly one way to find the model."""

    uri: str
    local_path: Path | None = None
    run_id: str | None = None
    artifact_path: str | None = None
    name: str | None = None
    version: str | None = None
    alias: str | None = None
    model_id: str | None = None


def parse_model_uri(uri: str) -> ModelReference:
    """Split ``uri`` into its parts; InvalidParameter(field="model_uri") when malformed."""
    if not isinstance(uri, str) or not uri.strip():
        raise InvalidParameter("model_uri must be a non-empty string", field="model_uri")
    uri = uri.strip()
    if uri.startswith("runs:"):
        match = _RUNS.match(uri)
        if not match:
            raise InvalidParameter(
                f"{uri!r}: a run model URI is runs:/<run_id>/<path>", field="model_uri"
            )
        return ModelReference(uri, run_id=match["run_id"], artifact_path=match["path"].strip("/"))
    if uri.startswith("models:"):
        match = _MODELS.match(uri)
        rest = match["rest"].strip("/") if match else ""
        if re.fullmatch(r"m-[0-9a-f]{32}", rest):
            return ModelReference(uri, model_id=rest)
        if "@" in rest and "/" not in rest:
            name, _, alias = rest.partition("@")
            if name and alias:
                return ModelReference(uri, name=name, alias=alias)
        # <version> may also be "latest" or a stage: the server's registry resolves it
        name, _, version = rest.rpartition("/")
        if name and version:
            return ModelReference(uri, name=name, version=version)
        raise InvalidParameter(
            f"{uri!r}: a registry URI is models:/<name>/<version>, models:/<name>/latest, "
            "models:/<name>@<alias> or models:/m-<model id>",
            field="model_uri",
        )
    if uri.startswith("file:"):
        parsed = urlparse(uri)
        if parsed.netloc not in ("", "localhost"):
            raise InvalidParameter(f"{uri!r}: only local file URIs", field="model_uri")
        return ModelReference(uri, local_path=Path(unquote(parsed.path)))
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", uri):
        raise InvalidParameter(
            f"{uri!r}: unsupported scheme (use a local path, runs:/ or models:/)",
            field="model_uri",
        )
    return ModelReference(uri, local_path=Path(uri).expanduser())


def download_model(
    uri: str, client: Any = None, dst_path: str | Path | None = None
) -> tuple[Path, ModelReference]:
    """The local folder of the model at ``uri`` (downloaded when remote).

    ``models:/...`` URIs are resolved by the server's registry (aliases, versions, logged
    model ids) and the folder they name is downloaded into ``dst_path``. ``runs:/<id>/<path>``
    is the run's artifact folder, or else, as in MLflow 3, the logged model of that name
    the run produced; it lands in ``dst_path/<last path segment>``.
    """
    reference = parse_model_uri(uri)
    if reference.local_path is not None:
        folder = reference.local_path
        if folder.is_file() and folder.name == "MLmodel":
            folder = folder.parent
        if not (folder / "MLmodel").is_file():
            raise NotFound(f"{uri!r} is not a model folder (no MLmodel file)", field="model_uri")
        return folder, reference
    if client is None:
        from ..client import fluent

        client = fluent.tracking_client()
    dst = Path(dst_path) if dst_path is not None else Path(tempfile.mkdtemp(prefix="mlops-model-"))
    dst.mkdir(parents=True, exist_ok=True)
    if reference.run_id is not None:
        folder = _download_run_model(client, reference, dst)
    else:
        folder = download_location(client, client.locate_model_uri(reference.uri), dst)
    if not (folder / "MLmodel").is_file():
        raise NotFound(f"{uri!r} has no MLmodel file: not a model", field="model_uri")
    return folder, reference


def _download_run_model(client: Any, reference: ModelReference, dst: Path) -> Path:
    assert reference.run_id is not None and reference.artifact_path is not None
    run_id, path = reference.run_id, reference.artifact_path
    name = path.rpartition("/")[2]
    try:
        folder = Path(client.download_artifacts(run_id, path, dst))
    except NotFound:
        folder = dst / name
    if (folder / "MLmodel").is_file():
        return folder
    logged = run_logged_model(client, run_id, path)
    if logged is None:
        raise NotFound(
            f"{reference.uri!r}: run {run_id} has no model {path!r} (neither an artifact "
            "folder nor a logged model of that name)",
            field="model_uri",
        )
    return download_logged_model(client, logged.model_id, dst / name)


def run_logged_model(client: Any, run_id: str, name: str) -> Any:
    """The newest READY logged model named ``name`` that run ``run_id`` produced, or None."""
    if "'" in name or "'" in run_id:  # not expressible in a filter; no such model then
        return None
    experiment_id = client.get_run(run_id).info.experiment_id
    page = client.search_logged_models(
        [experiment_id],
        filter_string=f"source_run_id = '{run_id}' AND name = '{name}' AND status = 'READY'",
        max_results=1,
        order_by=["creation_timestamp DESC"],
    )
    return page.items[0] if page.items else None
