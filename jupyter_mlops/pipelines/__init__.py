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
    "step": "dsl.tracing",
    "pipeline": "dsl.tracing",
    "parallel_for": "dsl.tracing",
    "condition": "dsl.tracing",
    "shell_step": "dsl.tracing",
    "notebook_step": "dsl.tracing",
    "Step": "dsl.tracing",
    "Pipeline": "dsl.tracing",
    "Task": "dsl.tracing",
    "compile_pipeline": "dsl.compiler",
    "validate_spec": "spec.validation",
    "set_output": "runtime.step_api",
    "submit": "dsl.submit",
    "get_run": "dsl.submit",
    "PipelineRunHandle": "dsl.submit",
    "schedule": "dsl.recurring",
    "list_schedules": "dsl.recurring",
    "get_schedule": "dsl.recurring",
    "PipelineSchedule": "dsl.recurring",
    "load_pipeline_file": "dsl.loader",
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
