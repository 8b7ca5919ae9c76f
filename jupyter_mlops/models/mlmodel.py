"""The ``MLmodel`` file: YAML at the root of a model folder, in MLflow's open format.

It names the flavours the model can be loaded as (``sklearn``, ``pytorch``,
``python_function``, ...), each with its own settings, plus the signature, the saved input
example and where the model came from. We read every key MLflow writes and keep the ones we
do not use, so a file round-trips; we write ``jupyter_mlops_version`` instead of
``mlflow_version`` (MLflow reads a missing ``mlflow_version`` as "unknown").
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InvalidParameter, NotFound
from .schema import Signature

MLMODEL_FILE = "MLmodel"
PYFUNC_FLAVOR = "python_function"

_KNOWN_KEYS = (
    "artifact_path",
    "flavors",
    "run_id",
    "model_id",
    "model_uuid",
    "utc_time_created",
    "signature",
    "saved_input_example_info",
    "model_size_bytes",
    "metadata",
)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass
class MLModel:
    """The contents of an ``MLmodel`` file."""

    flavors: dict[str, dict[str, Any]] = field(default_factory=dict)
    signature: Signature | None = None
    saved_input_example_info: dict[str, Any] | None = None
    run_id: str | None = None
    model_id: str | None = None
    artifact_path: str | None = None
    model_uuid: str = field(default_factory=lambda: uuid.uuid4().hex)
    utc_time_created: str = field(default_factory=_now)
    model_size_bytes: int | None = None
    metadata: dict[str, Any] | None = None
    #: Keys we do not interpret (mlflow_version, prompts, resources, ...), kept as they are.
    extra: dict[str, Any] = field(default_factory=dict)

    # -- flavours ---------------------------------------------------------------------------
    def add_flavor(self, name: str, **settings: Any) -> None:
        self.flavors[name] = dict(settings)

    def flavor(self, name: str) -> dict[str, Any]:
        try:
            return self.flavors[name]
        except KeyError:
            raise NotFound(
                f"The model has no {name!r} flavor (it has: {', '.join(self.flavors) or 'none'})",
                field="flavor",
            ) from None

    # -- YAML ---------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = dict(self.extra)
        if self.artifact_path is not None:
            document["artifact_path"] = self.artifact_path
        document["flavors"] = self.flavors
        document["model_uuid"] = self.model_uuid
        document["model_id"] = self.model_id
        if self.run_id is not None:
            document["run_id"] = self.run_id
        document["utc_time_created"] = self.utc_time_created
        if self.signature is not None:
            document["signature"] = self.signature.to_dict()
        if self.saved_input_example_info is not None:
            document["saved_input_example_info"] = self.saved_input_example_info
        if self.model_size_bytes is not None:
            document["model_size_bytes"] = self.model_size_bytes
        if self.metadata is not None:
            document["metadata"] = self.metadata
        return document

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), default_flow_style=False, sort_keys=True)

    def save(self, folder: Path) -> Path:
        path = Path(folder) / MLMODEL_FILE
        path.write_text(self.to_yaml(), encoding="utf-8")
        return path

    @classmethod
    def from_dict(cls, document: Any) -> MLModel:
        if not isinstance(document, dict):
            raise InvalidParameter("MLmodel must be a YAML mapping", field="MLmodel")
        flavors = document.get("flavors") or {}
        if not isinstance(flavors, dict) or not all(isinstance(v, dict) for v in flavors.values()):
            raise InvalidParameter("MLmodel 'flavors' must map names to settings", field="MLmodel")
        signature = document.get("signature")
        size = document.get("model_size_bytes")
        return cls(
            flavors={str(k): dict(v) for k, v in flavors.items()},
            signature=Signature.from_dict(signature) if signature else None,
            saved_input_example_info=document.get("saved_input_example_info"),
            run_id=document.get("run_id"),
            model_id=document.get("model_id"),
            artifact_path=document.get("artifact_path"),
            model_uuid=str(document.get("model_uuid") or uuid.uuid4().hex),
            utc_time_created=str(document.get("utc_time_created") or _now()),
            model_size_bytes=int(size) if size is not None else None,
            metadata=document.get("metadata"),
            extra={k: v for k, v in document.items() if k not in _KNOWN_KEYS},
        )

    @classmethod
    def load(cls, folder: str | Path) -> MLModel:
        """Read ``<folder>/MLmodel`` (``folder`` may also be the MLmodel file itself)."""
        path = Path(folder)
        if path.is_dir():
            path = path / MLMODEL_FILE
        if not path.is_file():
            raise NotFound(f"No MLmodel file at {path}: not a model folder", field="model_uri")
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as err:
            raise InvalidParameter(
                f"MLmodel at {path} is not valid YAML: {err}", field="MLmodel"
            ) from err
        return cls.from_dict(document)
