"""Model folders in the artifact store, moved through the client's public API.

A model's files live in one of two places: an MLflow 3 logged model's own folder
(``<experiment>/models/<model_id>/artifacts``, reached with the client's
``*_logged_model_artifact(s)`` methods) or a folder among a run's artifacts
(``<experiment>/<run_id>/artifacts/<path>``, reached with the run artifact methods).
Both work the same over REST and on the store directly; the server checks who may write.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..errors import NotFound


def upload_logged_model(client: Any, model_id: str, local_folder: Path) -> None:
    """Copy every file under ``local_folder`` into the logged model's folder."""
    client.log_logged_model_artifacts(model_id, local_folder)


def download_logged_model(client: Any, model_id: str, dst: Path) -> Path:
    """Copy all of the logged model's files into ``dst`` (which is returned)."""
    return Path(client.download_logged_model_artifacts(model_id, "", dst))


def download_location(client: Any, location: Any, dst: Path) -> Path:
    """Copy the model folder a ``ModelLocation`` names into ``dst`` (which is returned).

    The folder is a logged model's (the location says which) or lies in the artifact
    folder of the run the location names; a folder that belongs to neither (a version
    registered from a bare artifact-store path) cannot be fetched by a client.
    """
    if location.logged_model is not None:
        return download_logged_model(client, location.logged_model.model_id, dst)
    storage: str = location.storage_location
    if location.run_id is not None:
        run_folder = client.get_run(location.run_id).info.artifact_uri.rstrip("/")
        if storage == run_folder or storage.startswith(run_folder + "/"):
            path = storage[len(run_folder) :].strip("/")
            if not path:
                client.download_artifacts(location.run_id, "", dst)
                return dst
            # download_artifacts lands a folder as <dst>/<name>; a model's files belong in
            # dst itself, as loaders (and MLflow's models:/ downloads) expect.
            dst.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=dst, prefix=".mlops-download-") as tmp:
                landed = Path(client.download_artifacts(location.run_id, path, tmp))
                for entry in os.scandir(landed):
                    shutil.move(entry.path, dst / entry.name)
            return dst
    raise NotFound(
        f"The model files at {storage!r} belong to no run or logged model the client can "
        "read them through",
        field="model_uri",
    )
