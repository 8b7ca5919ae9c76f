"""Registering a logged model as a version of a registered model."""

from __future__ import annotations

import contextlib
from typing import Any

from ..errors import AlreadyExists


def register_model(
    client: Any, name: str, source: str, run_id: str | None, model_id: str | None = None
) -> str:
    """Create a version of registered model ``name`` (creating ``name`` first if it is
    new) from ``source``; returns the version number."""
    with contextlib.suppress(AlreadyExists):  # registering another version of it
        client.create_registered_model(name)
    version = client.create_model_version(name, source, run_id=run_id, model_id=model_id)
    return str(version.version)
