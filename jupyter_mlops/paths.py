"""Where the embedded defaults keep their data: under the Jupyter data directory."""

from __future__ import annotations

from pathlib import Path

from jupyter_core.paths import jupyter_data_dir


def default_data_dir() -> Path:
    return Path(jupyter_data_dir()) / "mlops"


def default_store_uri() -> str:
    return f"sqlite:///{default_data_dir() / 'mlops.db'}"


def default_artifact_root() -> Path:
    return default_data_dir() / "artifacts"
