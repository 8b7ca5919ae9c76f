"""Constants and small readers of the pipeline spec format (see ``schema/``)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_VERSION = "jupyter-mlops.pipeline/v1"
SCHEMA_PATH = Path(__file__).with_name("schema") / "pipeline-spec.schema.json"

_DURATION_RE = re.compile(r"^(\d+(?:\.\d+)?)s$")


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The JSON Schema of pipeline specs shipped with the package."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def parse_duration(text: str | None, default: float = 0.0) -> float:
    """Seconds of a KFP-style duration string (``"1.5s"``); ``default`` when None."""
    if text is None:
        return default
    match = _DURATION_RE.match(text)
    if match is None:
        raise ValueError(f"bad duration {text!r}; expected e.g. '30s'")
    return float(match.group(1))
