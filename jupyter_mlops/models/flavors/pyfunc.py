"""The generic ``python_function`` flavour for custom models, and its loader.

Any of these can be logged: a ``PythonModel`` subclass (``predict(context, model_input,
params=None)``, optional ``load_context``; MLflow's ``PythonModel`` subclasses work too),
an object with a ``predict(model_input)`` method, or a plain function of the input. It is
saved with cloudpickle as ``python_model.pkl``, with ``artifacts`` copied next to it.

This module is the ``loader_module`` of such models: ``mlflow.pyfunc.load_model`` imports
it and calls ``_load_pyfunc(path)``, so MLflow loads our custom models wherever
jupyter-mlops is installed (it is pinned in the model's requirements).
"""

from __future__ import annotations

import inspect
import pickle
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...errors import InvalidParameter
from ..mlmodel import PYFUNC_FLAVOR, MLModel
from .base import Predictor, accepts_params, add_pyfunc_section, inside_model

LOADER_MODULE = __name__
MODEL_FILE = "python_model.pkl"
ARTIFACTS_DIR = "artifacts"


class PythonModelContext:
    """What ``load_context`` and ``predict`` get: the model's artifacts as local paths."""

    def __init__(self, artifacts: Mapping[str, str], model_config: Mapping[str, Any] | None = None):
        self.artifacts = dict(artifacts)
        self.model_config = dict(model_config or {})


class PythonModel:
    """Base of custom models. Override ``predict``; ``load_context`` runs once at load."""

    def load_context(self, context: PythonModelContext) -> None:
        """Read artifacts (``context.artifacts[name]`` is a local path)."""

    def predict(
        self, context: PythonModelContext, model_input: Any, params: dict[str, Any] | None = None
    ) -> Any:
        raise NotImplementedError


def _takes_context(model: Any) -> bool:
    """A PythonModel-style object (ours or MLflow's): predict(context, model_input, ...)."""
    if isinstance(model, PythonModel):
        return True
    if not hasattr(model, "load_context"):
        return False
    try:
        positional = [
            p
            for p in inspect.signature(model.predict).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return False
    return len(positional) >= 2


class PythonModelPredictor:
    """A custom model behind ``predict(data, params=None)``."""

    def __init__(self, model: Any, context: PythonModelContext) -> None:
        self.python_model = model
        self.context = context
        self._with_context = _takes_context(model)
        target = model.predict if hasattr(model, "predict") else model
        self._params = accepts_params(target)

    def unwrap_python_model(self) -> Any:
        return self.python_model

    def get_raw_model(self) -> Any:
        return self.python_model

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        kwargs = {"params": params} if self._params else {}
        if self._with_context:
            return self.python_model.predict(self.context, data, **kwargs)
        if hasattr(self.python_model, "predict"):
            return self.python_model.predict(data, **kwargs)
        return self.python_model(data, **kwargs)


class PythonFunctionFlavor:
    name = PYFUNC_FLAVOR

    def matches(self, model: Any) -> bool:
        return _takes_context(model) or callable(getattr(model, "predict", None)) or callable(model)

    def save(
        self,
        model: Any,
        folder: Path,
        mlmodel: MLModel,
        artifacts: Mapping[str, str] | None = None,
        **options: Any,
    ) -> list[str]:
        import cloudpickle

        copied: dict[str, str] = {}
        for key, source in (artifacts or {}).items():
            src = Path(source)
            if not src.exists():
                raise InvalidParameter(
                    f"artifact {key!r}: {source} does not exist", field="artifacts"
                )
            target = folder / ARTIFACTS_DIR / src.name
            target.parent.mkdir(exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, target)
            else:
                shutil.copy2(src, target)
            copied[str(key)] = f"{ARTIFACTS_DIR}/{src.name}"
        with open(folder / MODEL_FILE, "wb") as out:
            cloudpickle.dump(model, out, protocol=pickle.DEFAULT_PROTOCOL)
        add_pyfunc_section(
            mlmodel,
            LOADER_MODULE,
            data=MODEL_FILE,
            python_model=MODEL_FILE,
            cloudpickle_version=cloudpickle.__version__,
            artifacts=copied or None,
        )
        return ["jupyter-mlops", "cloudpickle", "numpy", "pandas"]

    def load(self, folder: Path, mlmodel: MLModel) -> Any:
        return self._predictor(folder, mlmodel.flavor(PYFUNC_FLAVOR)).python_model

    def load_predictor(self, folder: Path, mlmodel: MLModel) -> Predictor:
        return self._predictor(folder, mlmodel.flavor(PYFUNC_FLAVOR))

    @staticmethod
    def _predictor(folder: Path, settings: Mapping[str, Any]) -> PythonModelPredictor:
        import cloudpickle

        path = inside_model(folder, str(settings.get("python_model", MODEL_FILE)))
        with open(path, "rb") as source:
            model = cloudpickle.load(source)
        artifacts = {
            key: str(inside_model(folder, str(rel)))
            for key, rel in (settings.get("artifacts") or {}).items()
        }
        context = PythonModelContext(artifacts, settings.get("model_config"))
        if _takes_context(model):
            model.load_context(context)
        return PythonModelPredictor(model, context)


def _load_pyfunc(path: str, model_config: Mapping[str, Any] | None = None) -> Predictor:
    """The loader protocol of ``mlflow.pyfunc.load_model``: ``path`` is the model folder
    joined with the section's ``data`` (our pickle file)."""
    target = Path(path)
    folder = target.parent if target.is_file() else target
    settings = MLModel.load(folder).flavor(PYFUNC_FLAVOR)
    if model_config:
        settings = {**settings, "model_config": dict(model_config)}
    return PythonFunctionFlavor._predictor(folder, settings)
