"""Reading a file for its pipelines must not run them.

The Pipelines panel's Load (and :func:`~jupyter_mlops.pipelines.load_pipeline_file`)
executes a ``.py`` file or a notebook's code cells to find its ``@pipeline`` functions. A
notebook that builds a pipeline usually goes on to ``submit`` or ``schedule`` it; while a
file is being read, those calls only declare the pipeline they were given and stop the
file there: no run starts, no schedule is created, and nothing after the call (waiting
for the run, reading its outputs) runs either.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["DeclaredOnly", "declare", "declaring_only"]

# The specs declared by submit/schedule calls of the file being read; None: no file is.
_declared: ContextVar[list[dict[str, Any]] | None] = ContextVar(
    "mlops_pipelines_declared", default=None
)


class DeclaredOnly(BaseException):
    """Raised by ``submit``/``schedule`` while a file is read for its pipelines: it unwinds
    the file's code (a BaseException, so that a cell's ``except Exception`` keeps it going)
    up to the loader, which keeps the pipelines found so far."""

    def __init__(self, call: str, pipeline_name: str) -> None:
        super().__init__(f"{call}({pipeline_name!r}) declares its pipeline only here")
        self.call = call


@contextmanager
def declaring_only() -> Iterator[list[dict[str, Any]]]:
    """While in this block, ``submit`` and ``schedule`` declare instead of acting; yields
    the list that collects the specs they were given."""
    declared: list[dict[str, Any]] = []
    token = _declared.set(declared)
    try:
        yield declared
    finally:
        _declared.reset(token)


def declare(call: str, spec: dict[str, Any]) -> None:
    """Called first by ``submit`` and ``schedule`` with the compiled spec: outside a file
    being read, nothing; inside one, record ``spec`` and stop the file (``DeclaredOnly``)."""
    declared = _declared.get()
    if declared is None:
        return
    declared.append(spec)
    name = str((spec.get("pipelineInfo") or {}).get("name", "pipeline"))
    raise DeclaredOnly(call, name)
