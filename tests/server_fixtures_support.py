"""The REST fixtures of tests/server (a real jupyter server through pytest-jupyter, and
``mlops_api``, which validates every exchange against the OpenAPI document) for the
conftest.py of another test folder. Both folders have a conftest.py, so the server one is
loaded under its own module name."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any


def load_server_fixtures() -> Any:
    """tests/server/conftest.py as the module ``mlops_server_fixtures``."""
    folder = Path(__file__).resolve().parent / "server"
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location("mlops_server_fixtures", folder / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
