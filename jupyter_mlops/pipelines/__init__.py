"""Pipelines: write a DAG in Python, run it locally, on Kubernetes or on Argo.

``import jupyter_mlops as mlops`` gives ``mlops.step``, ``mlops.pipeline``,
``mlops.parallel_for``, ``mlops.condition``, ``mlops.pipelines.submit`` and
``mlops.pipelines.schedule`` (recurring runs, fired by a server). Everything
is imported on first use, so that the step runner (which imports this package) starts
fast.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

_LAZY: dict[str, str] = {
    "step": "dsl",
    "pipeline": "dsl",
    "parallel_for": "dsl",
    "condition": "dsl",
    "shell_step": "dsl",
    "notebook_step": "dsl",
    "Step": "dsl",
    "Pipeline": "dsl",
    "Task": "dsl",
    "compile_pipeline": "compiler",
    "validate_spec": "validation",
    "set_output": "runtime",
    "submit": "api",
    "get_run": "api",
    "PipelineRunHandle": "api",
    "schedule": "recurring",
    "list_schedules": "recurring",
    "get_schedule": "recurring",
    "PipelineSchedule": "recurring",
    "load_pipeline_file": "loader",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name == "pipelines":  # ``jupyter_mlops.pipelines`` as a lazy export of the package
        return sys.modules[__name__]
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'jupyter_mlops.pipelines' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
