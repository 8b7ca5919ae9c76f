"""Models for the scoring-worker tests (tests/models/test_scoring_workers.py and
tests/server/test_api_predict.py): each tells, from inside the worker, who loaded it.

They are pickled by value (``save``), since a worker cannot import this test module."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cloudpickle

from jupyter_mlops.models import PythonModel, save_model

# Scoring requests that every model here accepts (no signature: rows of numbers).
TWO_ROWS = {"inputs": [[1.0], [2.0]]}


class PidModel(PythonModel):
    """Predicts the process id of whoever runs it, once per row."""

    def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
        import os

        return [os.getpid()] * len(model_input)


class CountingModel(PidModel):
    """A PidModel that appends its pid to ``log`` each time it is loaded."""

    def __init__(self, log: str) -> None:
        self.log = log

    def load_context(self, context: Any) -> None:
        import os

        with open(self.log, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")


class ProbeModel(PythonModel):
    """Predicts who it runs as and, for each of ``paths``, the errno of opening it for
    reading (0: it could)."""

    def __init__(self, paths: dict[str, str]) -> None:
        self.paths = paths

    def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
        import os

        def errno_of(path: str) -> int:
            try:
                with open(path, "rb"):
                    return 0
            except OSError as err:
                return err.errno or -1

        found = {name: errno_of(path) for name, path in self.paths.items()}
        return {"uid": os.getuid(), "pid": os.getpid(), **found}


class CrashingModel(PythonModel):
    """Kills the process it predicts in, as a model crashing in native code would."""

    def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
        import os
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def _tamper(marker: str) -> PidModel:
    """What unpickling a Tampered runs: it writes where it ran, and with what environment."""
    import json
    import os

    with open(marker, "w", encoding="utf-8") as out:
        json.dump({"pid": os.getpid(), "environ": dict(os.environ)}, out)
    return PidModel()


class Tampered:
    """A "model" whose pickle runs ``_tamper`` when it is loaded, as a malicious one would."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def predict(self, model_input: Any) -> Any:  # never runs: unpickling returns a PidModel
        return None

    def __reduce__(self) -> tuple[Any, ...]:
        return (_tamper, (self.marker,))


def _explode(message: str) -> Any:
    raise RuntimeError(message)


class Exploding(Tampered):
    """A model whose loading raises RuntimeError(message)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_explode, (self.marker,))


def save(model: Any, folder: Path) -> Path:
    """``model`` saved into ``folder`` (pickled by value), which is returned."""
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    save_model(model, folder)
    return folder


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def eventually(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Wait (on the event loop, which the pool needs) until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)
