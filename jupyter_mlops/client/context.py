"""Where a run comes from, captured as run tags when a notebook starts it.

Every run started in a Jupyter kernel gets: the notebook's path, the kernel and Python
versions, the versions of the main ML libraries that are installed, the git commit,
branch, remote and a dirty flag of the notebook's repository, and the host name. When the
working tree is dirty its diff is stored as the artifact ``context/git.diff``, so a run
can be reproduced from the commit plus the diff.

MLflow's own system tag names are used where MLflow has one (``mlflow.source.name``,
``mlflow.source.type``, ``mlflow.source.git.*``), so the MLflow UI and client show them;
the rest are ``mlops.*`` tags. Nothing here raises: missing git, a notebook outside a
repository, or an unreadable environment only leave tags out.
"""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

# MLflow's system tags (mlflow.utils.mlflow_tags), so the MLflow layer shows them.
SOURCE_NAME = "mlflow.source.name"
SOURCE_TYPE = "mlflow.source.type"
GIT_COMMIT = "mlflow.source.git.commit"
GIT_BRANCH = "mlflow.source.git.branch"
GIT_REPO_URL = "mlflow.source.git.repoURL"
# Ours, where MLflow has no name for it.
NOTEBOOK = "mlops.source.notebook"
GIT_DIRTY = "mlops.source.git.dirty"
KERNEL = "mlops.kernel"
PYTHON_VERSION = "mlops.python.version"
HOST = "mlops.host"
LIBRARY_PREFIX = "mlops.library."

GIT_DIFF_ARTIFACT = "context/git.diff"

#: Distributions whose installed versions are recorded (when installed).
ML_LIBRARIES = (
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "torch",
    "tensorflow",
    "keras",
    "jax",
    "xgboost",
    "lightgbm",
    "catboost",
    "transformers",
    "statsmodels",
)

#: Set by the server extension: the folder notebook paths are relative to.
ENV_SERVER_ROOT = "JUPYTER_MLOPS_SERVER_ROOT"
#: Set to "0" to turn capture off (e.g. in a locked-down kernel image).
ENV_CAPTURE = "JUPYTER_MLOPS_CAPTURE_CONTEXT"

# A diff larger than this is cut (with a note): it is a hint for reproduction, not a backup.
MAX_DIFF_BYTES = 2 * 1024 * 1024
_GIT_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class RunContext:
    """Tags for a new run, and the working-tree diff to store when it is dirty."""

    tags: dict[str, str]
    git_diff: str | None = None


def capture_enabled() -> bool:
    """Whether runs started here get context tags: in a Jupyter kernel, unless turned off."""
    if os.environ.get(ENV_CAPTURE, "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    return _kernel_shell() is not None


def _kernel_shell() -> Any:
    """The IPython shell of a Jupyter kernel (not a terminal IPython), or None."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None


def capture(cwd: str | os.PathLike[str] | None = None) -> RunContext:
    """The context of a run started now from the notebook running in this process."""
    tags = dict(_static_tags())
    notebook = notebook_path()
    if notebook is not None:
        tags[SOURCE_NAME] = notebook
        tags[NOTEBOOK] = notebook
        tags[SOURCE_TYPE] = "NOTEBOOK"
    git, diff = _recent_git_state(Path(cwd) if cwd is not None else Path.cwd())
    tags.update(git)
    return RunContext(tags, diff)


def notebook_path() -> str | None:
    """The notebook's path, relative to the server's root when it lies under it.

    jupyter_server passes the session's file to the kernel as ``JPY_SESSION_NAME``
    (ipykernel also exposes it as ``__session__``).
    """
    path = os.environ.get("JPY_SESSION_NAME")
    if not path:
        shell = _kernel_shell()
        session = shell.user_ns.get("__session__") if shell is not None else None
        path = session if isinstance(session, str) else None
    if not path:
        return None
    root = os.environ.get(ENV_SERVER_ROOT)
    if root and os.path.isabs(path):
        try:
            relative = Path(path).resolve().relative_to(Path(root).resolve())
        except ValueError:  # outside the root: keep it absolute
            return path
        return relative.as_posix()
    return path


@cache
def _static_tags() -> dict[str, str]:
    """Tags that cannot change while the process lives (computed once)."""
    tags = {
        PYTHON_VERSION: platform.python_version(),
        HOST: socket.gethostname(),
    }
    kernel = _distribution_version("ipykernel")
    if kernel is not None:
        tags[KERNEL] = f"ipykernel {kernel}"
    for name in ML_LIBRARIES:
        version = _distribution_version(name)
        if version is not None:
            tags[LIBRARY_PREFIX + name] = version
    return tags


def _distribution_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


# A sweep starts many runs in a few seconds: git is asked once for them.
_GIT_STATE_TTL_S = 5.0
_git_cache: dict[Path, tuple[float, tuple[dict[str, str], str | None]]] = {}


def _recent_git_state(folder: Path) -> tuple[dict[str, str], str | None]:
    now = time.monotonic()
    cached = _git_cache.get(folder)
    if cached is not None and now - cached[0] < _GIT_STATE_TTL_S:
        return cached[1]
    state = git_state(folder)
    _git_cache.clear()  # one folder at a time is all a kernel needs
    _git_cache[folder] = (now, state)
    return state


def git_state(folder: Path) -> tuple[dict[str, str], str | None]:
    """Commit, branch, remote and dirty flag of the repository holding ``folder``, and
    the diff of its working tree against HEAD when dirty. Empty when not in a repo."""
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top is None:
        return {}, None
    commit = _git(folder, "rev-parse", "HEAD")
    if commit is None:  # a repository without commits yet
        return {}, None
    tags = {GIT_COMMIT: commit}
    branch = _git(folder, "rev-parse", "--abbrev-ref", "HEAD")
    if branch and branch != "HEAD":  # "HEAD" means detached
        tags[GIT_BRANCH] = branch
    remote = _git(folder, "config", "--get", "remote.origin.url")
    if remote:
        tags[GIT_REPO_URL] = _without_credentials(remote)
    status = _git(folder, "status", "--porcelain", "--untracked-files=no")
    dirty = bool(status)
    tags[GIT_DIRTY] = "true" if dirty else "false"
    diff = _git(folder, "diff", "HEAD", strip=False) if dirty else None
    if diff is not None and len(diff.encode()) > MAX_DIFF_BYTES:
        diff = diff.encode()[:MAX_DIFF_BYTES].decode(errors="ignore")
        diff += f"\n# jupyter-mlops: diff cut at {MAX_DIFF_BYTES} bytes\n"
    return tags, diff or None


def _git(folder: Path, *args: str, strip: bool = True) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_S,
            # Never prompt for credentials or an editor from inside a kernel.
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"},
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() if strip else done.stdout


def _without_credentials(url: str) -> str:
    """``https://user:token@host/repo`` -> ``https://host/repo`` (tags are readable by all)."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    return f"{scheme}{sep}{rest.split('@', 1)[1]}"
