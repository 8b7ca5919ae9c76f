"""The package is installed the way a user gets it: both extensions enabled and valid."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def jupyter(*args: str) -> str:
    """Run a `jupyter` subcommand of this environment; both listings print to stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", *args], capture_output=True, text=True, timeout=120
    )
    return ANSI.sub("", done.stdout + done.stderr)


@pytest.mark.slow
def test_server_extension_is_enabled_and_loads() -> None:
    listing = jupyter("server", "extension", "list")
    assert re.search(r"jupyter_mlops\s+enabled", listing), listing
    assert re.search(r"jupyter_mlops \S+ OK", listing), listing


@pytest.mark.slow
def test_lab_extension_is_enabled_and_ok() -> None:
    listing = jupyter("labextension", "list")
    assert re.search(r"jupyter-mlops v\S+ enabled OK", listing), listing


def test_extension_points_name_our_apps() -> None:
    import jupyter_mlops
    from jupyter_mlops.server.extension import MlopsExtension

    assert jupyter_mlops._jupyter_server_extension_points() == [
        {"module": "jupyter_mlops", "app": MlopsExtension}
    ]
    assert jupyter_mlops._jupyter_labextension_paths() == [
        {"src": "labextension", "dest": "jupyter-mlops"}
    ]
