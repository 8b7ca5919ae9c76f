"""What every flavour module provides (sklearn, pytorch, python_function).

A flavour saves one kind of model object into a model folder, adding its section (and the
``python_function`` section that lets any pyfunc loader use it) to the MLmodel, and loads
it back, natively and as a predictor with ``predict(data, params=None)``.
"""

from __future__ import annotations

import inspect
import platform
from pathlib import Path
from typing import Any, Protocol

from ...errors import InvalidParameter
from ..environment import ENV_SETTING
from ..mlmodel import PYFUNC_FLAVOR, MLModel


class Predictor(Protocol):
    """What ``python_function`` loaders return (MLflow calls it the model implementation)."""

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any: ...


class Flavor(Protocol):
    name: str

    def matches(self, model: Any) -> bool:
        """True when ``model`` is an object this flavour saves."""

    def save(self, model: Any, folder: Path, mlmodel: MLModel, **options: Any) -> list[str]:
        """Write the model's files and MLmodel sections; returns the distributions to pin."""

    def load(self, folder: Path, mlmodel: MLModel) -> Any:
        """The model object itself (an estimator, a torch module, a python model)."""

    def load_predictor(self, folder: Path, mlmodel: MLModel) -> Predictor:
        """The model behind a ``predict(data, params=None)`` method."""


def add_pyfunc_section(mlmodel: MLModel, loader_module: str, **settings: Any) -> None:
    """The ``python_function`` section every flavour adds (loader, env files, Python)."""
    mlmodel.add_flavor(
        PYFUNC_FLAVOR,
        loader_module=loader_module,
        env=dict(ENV_SETTING),
        python_version=platform.python_version(),
        **settings,
    )


def accepts_params(function: Any) -> bool:
    """Whether a predict function takes ``params`` (older custom models do not)."""
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return "params" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def inside_model(folder: Path, relative: str) -> Path:
    """A file named by the MLmodel, refused when it points outside the model folder."""
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()):
        raise InvalidParameter(
            f"MLmodel names a file outside the model folder: {relative!r}", field="MLmodel"
        )
    return path
