"""docs/configuration.md is generated from the traits; it must not drift from them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "make_config_reference.py"


def test_the_configuration_page_matches_the_traits() -> None:
    spec = importlib.util.spec_from_file_location("make_config_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.PAGE.read_text(encoding="utf-8") == module.render(), (
        "docs/configuration.md is stale: run python docs/make_config_reference.py"
    )
