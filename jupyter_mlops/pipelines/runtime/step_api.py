"""What code running inside a pipeline step may call (kept import-light)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

#: Folder the step runner collects outputs from (set in the step's environment).
ENV_OUTPUTS_DIR = "MLOPS_OUTPUTS_DIR"


def set_output(name: str, value: Any) -> None:
    """Set output ``name`` of the running step (for notebook and shell steps; a Python
    step returns its outputs instead). ``value`` must be JSON-serialisable."""
    folder = os.environ.get(ENV_OUTPUTS_DIR)
    if not folder:
        raise RuntimeError("set_output only works inside a pipeline step")
    if not name.isidentifier():
        raise ValueError(f"output name {name!r} must be an identifier")
    path = Path(folder) / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")
