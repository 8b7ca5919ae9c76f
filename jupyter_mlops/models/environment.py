"""The environment files of a model: ``requirements.txt``, ``python_env.yaml``, ``conda.yaml``.

Each pins the distributions the model needs to load (its flavour's libraries, at the
versions installed now) so ``pip install -r requirements.txt`` (or ``mlflow models serve``,
which reads the same files) rebuilds a working environment.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path

import yaml

REQUIREMENTS_FILE = "requirements.txt"
PYTHON_ENV_FILE = "python_env.yaml"
CONDA_ENV_FILE = "conda.yaml"

#: The ``env`` setting of the python_function flavour, pointing at the files below.
ENV_SETTING = {"conda": CONDA_ENV_FILE, "virtualenv": PYTHON_ENV_FILE}


def pinned(distributions: Iterable[str]) -> list[str]:
    """``name==version`` for each installed distribution (those not installed are skipped:
    an optional dependency the model does not use)."""
    pins: list[str] = []
    for name in distributions:
        try:
            pins.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return pins


def _version_of(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def requirements_for(
    distributions: Sequence[str],
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
) -> list[str]:
    """The model's requirement lines: the given ones, else the pinned flavour libraries,
    plus any extra ones (duplicates removed, order kept)."""
    lines = list(pip_requirements) if pip_requirements is not None else pinned(distributions)
    lines += list(extra_pip_requirements or ())
    seen: set[str] = set()
    unique = []
    for line in lines:
        if line not in seen:
            seen.add(line)
            unique.append(line)
    return unique


def write_environment(folder: Path, requirements: Sequence[str]) -> None:
    """Write the three environment files into the model folder."""
    python_version = platform.python_version()
    (folder / REQUIREMENTS_FILE).write_text("\n".join(requirements) + "\n", encoding="utf-8")
    build = [f"pip=={v}" for v in [_version_of("pip")] if v]
    build += [f"setuptools=={v}" for v in [_version_of("setuptools")] if v]
    build.append("wheel")
    python_env = {
        "python": python_version,
        "build_dependencies": build,
        "dependencies": [f"-r {REQUIREMENTS_FILE}"],
    }
    (folder / PYTHON_ENV_FILE).write_text(
        yaml.safe_dump(python_env, default_flow_style=False, sort_keys=False), encoding="utf-8"
    )
    pip_version = _version_of("pip")
    conda = {
        "channels": ["conda-forge"],
        "dependencies": [
            f"python={python_version}",
            f"pip<={pip_version}" if pip_version else "pip",
            {"pip": list(requirements)},
        ],
        "name": "mlflow-env",
    }
    (folder / CONDA_ENV_FILE).write_text(
        yaml.safe_dump(conda, default_flow_style=False, sort_keys=False), encoding="utf-8"
    )
