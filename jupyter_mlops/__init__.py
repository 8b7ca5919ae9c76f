"""jupyter-mlops: experiment tracking, notebook servers and pipelines inside JupyterLab.

In a notebook::

    import jupyter_mlops as mlops

    with mlops.start_run(experiment="churn"):
        mlops.log_param("lr", 0.01)
        mlops.log_metric("loss", 0.3, step=1)

The fluent API is imported lazily so that loading the server extension stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

try:
    from ._version import __version__
except ImportError:  # running from a source tree that was never built
    __version__ = "0.0.0.dev0"

# Public name -> module that defines it. Resolved on first access (PEP 562).
_LAZY_EXPORTS: dict[str, str] = {
    "MlopsClient": "jupyter_mlops.client",
    # model packaging (MLmodel format) and loading
    "log_model": "jupyter_mlops.models",
    "save_model": "jupyter_mlops.models",
    "load_model": "jupyter_mlops.models",
    "PythonModel": "jupyter_mlops.models",
    # pipelines: the DSL, and mlops.pipelines.submit (the subpackage names itself)
    "pipelines": "jupyter_mlops.pipelines",
    "step": "jupyter_mlops.pipelines",
    "pipeline": "jupyter_mlops.pipelines",
    "parallel_for": "jupyter_mlops.pipelines",
    "condition": "jupyter_mlops.pipelines",
    "shell_step": "jupyter_mlops.pipelines",
    "notebook_step": "jupyter_mlops.pipelines",
    # notebook servers: mlops.notebook_servers.create(...), .list(), .stop(...)
    "notebook_servers": "jupyter_mlops.notebooks.api",
}
_LAZY_FLUENT = "jupyter_mlops.client.fluent"
# Sub-packages reachable as attributes without an import of their own (mlops.widgets...).
_LAZY_SUBMODULES = frozenset({"widgets"})


def __getattr__(name: str) -> Any:
    module_name = _LAZY_EXPORTS.get(name)
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if module_name is None:
        fluent = importlib.import_module(_LAZY_FLUENT)
        if name not in getattr(fluent, "__all__", ()):
            raise AttributeError(f"module 'jupyter_mlops' has no attribute {name!r}")
        value = getattr(fluent, name)
    else:
        value = getattr(importlib.import_module(module_name), name)
    # Cache on the package: later accesses (a training loop's mlops.log_metric) are plain
    # attribute lookups instead of a trip through this hook.
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    fluent = importlib.import_module(_LAZY_FLUENT)
    return sorted({*globals(), *_LAZY_EXPORTS, *_LAZY_SUBMODULES, *getattr(fluent, "__all__", ())})


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext jupyter_mlops``: register the ``%track`` / ``%%track`` magics."""
    from .magics import register

    register(ipython)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-mlops"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server.extension import MlopsExtension

    return [{"module": "jupyter_mlops", "app": MlopsExtension}]
