"""Stage two of a step container's start, in an image that lacked jupyter-mlops (stage one,
``bootstrap``, has just put the server's runtime wheel on the path): install what the
step runner imports beyond the standard library and the image lacks. Standard library only.

The runner needs few things (checked with ``python -X importtime`` on a bare interpreter):
``requests`` for tracking over HTTP, and ``jupyter_core`` with ``platformdirs`` for the
client's default paths; a notebook step needs ``nbclient``, ``nbformat`` and ``ipykernel``,
and a step with ``packages`` needs ``packaging`` (the runner checks the installed versions
with it). Only the missing ones are installed, with pip into the image's environment (pip
falls back to a user install where site-packages is not writable), and pip resolves their
dependencies against what the image has: nothing the image's author installed is replaced
or shadowed, unlike an install into a folder put first on ``PYTHONPATH``.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

#: Import name -> requirement, of what the runner imports for every step.
RUNNER_REQUIREMENTS = {
    "requests": "requests",
    "jupyter_core": "jupyter_core",
    "platformdirs": "platformdirs",
}
#: ... for a notebook step (executed by nbclient in an ipykernel).
NOTEBOOK_REQUIREMENTS = {"nbclient": "nbclient", "nbformat": "nbformat", "ipykernel": "ipykernel"}
#: ... for a step with ``packages``.
PACKAGES_REQUIREMENTS = {"packaging": "packaging"}


def ensure_requirements(argv: list[str]) -> None:
    """Install the requirements of the task in the runner's ``argv`` that the image lacks;
    exit with a message saying what to do when that fails."""
    missing = missing_requirements(requirements_of(task_of(argv)))
    if not missing:
        return
    names = " ".join(missing)
    if importlib.util.find_spec("pip") is None:
        _fail(
            f"this image lacks {names}, which the step runner needs, and has no pip to install"
            f" them: use an image that has them (pip install {names}) or has pip"
        )
    print(f"jupyter-mlops: installing {names} (the step runner needs them)", file=sys.stderr)
    sys.stderr.flush()
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--no-input", "--no-warn-script-location", *missing]
    # pip's output goes to stderr, like every diagnostic of the step's start.
    result = subprocess.run(command, stdout=sys.stderr.fileno(), check=False)
    if result.returncode != 0:
        _fail(
            f"pip could not install {names} (exit code {result.returncode}, see above). The"
            " pod needs a package index (PIP_INDEX_URL in the step's env for a mirror), or an"
            f" image that has them (pip install {names}); for an externally managed Python,"
            " set PIP_BREAK_SYSTEM_PACKAGES=1 in the step's env or use a venv"
        )


def task_of(argv: list[str]) -> dict[str, Any]:
    """The runner's task document from its arguments; {} when it cannot be read here
    (the runner itself will say why)."""
    try:
        for index, arg in enumerate(argv):
            if arg in ("--task-json", "--task-file") and index + 1 < len(argv):
                text = argv[index + 1]
                if arg == "--task-file":
                    text = Path(text).read_text(encoding="utf-8")
                task = json.loads(text)
                return task if isinstance(task, dict) else {}
    except (OSError, ValueError):
        pass
    return {}


def requirements_of(task: dict[str, Any]) -> dict[str, str]:
    """Import name -> requirement of everything the runner needs for ``task``."""
    executor = task.get("executor") or {}
    wanted = dict(RUNNER_REQUIREMENTS)
    if isinstance(executor, dict) and "notebook" in executor:
        wanted.update(NOTEBOOK_REQUIREMENTS)
    if isinstance(executor, dict) and executor.get("packages"):
        wanted.update(PACKAGES_REQUIREMENTS)
    return wanted


def missing_requirements(wanted: dict[str, str]) -> list[str]:
    """The requirements whose module this Python cannot import."""
    return [requirement for name, requirement in wanted.items() if not _importable(name)]


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _fail(message: str) -> NoReturn:
    # The step runner's own failure line, which the backends take as the step's error.
    print(f"step failed: {message}", file=sys.stderr, flush=True)
    sys.exit(1)
