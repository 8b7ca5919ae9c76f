"""Flavours: how each kind of model object is saved and loaded (see ``base.Flavor``)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from ...errors import InvalidParameter
from ..mlmodel import PYFUNC_FLAVOR, MLModel
from .base import Flavor, Predictor, inside_model
from .pyfunc import LOADER_MODULE as PYFUNC_LOADER
from .pyfunc import PythonFunctionFlavor
from .pytorch import LOADER_MODULE as PYTORCH_LOADER
from .pytorch import PyTorchFlavor
from .sklearn import LOADER_MODULE as SKLEARN_LOADER
from .sklearn import SklearnFlavor

#: In matching order: the specific flavours first, the generic one last.
FLAVORS: tuple[Flavor, ...] = (SklearnFlavor(), PyTorchFlavor(), PythonFunctionFlavor())

#: python_function loaders we implement ourselves, so no MLflow is needed to load them.
_NATIVE_LOADERS: dict[str, Flavor] = {
    SKLEARN_LOADER: FLAVORS[0],
    PYTORCH_LOADER: FLAVORS[1],
    PYFUNC_LOADER: FLAVORS[2],
}


def flavor_for(model: Any, name: str | None = None) -> Flavor:
    """The flavour that saves ``model`` (or the one named ``name``)."""
    for flavor in FLAVORS:
        if (name is None or flavor.name == name) and flavor.matches(model):
            return flavor
    if name is not None:
        raise InvalidParameter(
            f"flavor {name!r} cannot save a {type(model).__name__}", field="flavor"
        )
    raise InvalidParameter(
        f"cannot log a {type(model).__name__}: pass a scikit-learn estimator, a torch module, "
        "a jupyter_mlops.PythonModel, or an object with a predict method",
        field="model",
    )


def load_predictor(folder: Path, mlmodel: MLModel) -> Predictor:
    """The model as a predictor, through its ``python_function`` section's loader: ours for
    the loaders we know, else the named module's ``_load_pyfunc`` (MLflow's protocol)."""
    settings = mlmodel.flavor(PYFUNC_FLAVOR)
    loader = str(settings.get("loader_module", ""))
    native = _NATIVE_LOADERS.get(loader)
    if native is not None:
        return native.load_predictor(folder, mlmodel)
    try:
        module = importlib.import_module(loader)
    except ImportError as err:
        raise ImportError(
            f"This model's loader is {loader!r}, which is not installed here "
            f"(pip install {loader.split('.')[0]})"
        ) from err
    data = settings.get("data")
    path = inside_model(folder, str(data)) if data else folder
    predictor: Predictor = module._load_pyfunc(str(path))
    return predictor


def load_native(folder: Path, mlmodel: MLModel, flavor: str | None = None) -> Any:
    """The model object itself, by its first flavour we know (or the one named)."""
    for candidate in FLAVORS:
        if candidate.name in mlmodel.flavors and (flavor is None or flavor == candidate.name):
            if (
                candidate.name == PYFUNC_FLAVOR
                and mlmodel.flavor(PYFUNC_FLAVOR).get("loader_module") != PYFUNC_LOADER
            ):
                continue
            return candidate.load(folder, mlmodel)
    raise InvalidParameter(
        f"no loadable flavor{f' {flavor!r}' if flavor else ''} in this model "
        f"(it has: {', '.join(mlmodel.flavors)})",
        field="flavor",
    )


__all__ = ["FLAVORS", "Flavor", "Predictor", "flavor_for", "load_native", "load_predictor"]
