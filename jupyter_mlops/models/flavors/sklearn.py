"""The ``sklearn`` flavour, in the layout ``mlflow.sklearn`` reads.

We write ``model.pkl`` with cloudpickle (``serialization_format: cloudpickle``) and a
``python_function`` section whose ``loader_module`` is ``mlflow.sklearn``, so MLflow loads
it with its own loader. We read all three formats MLflow writes: ``pickle``,
``cloudpickle`` and ``skops`` (MLflow 3's default; needs the ``skops`` package).
Unpickling runs code from the file: load only models you trust.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Any

from ...errors import InvalidParameter
from ..mlmodel import PYFUNC_FLAVOR, MLModel
from .base import Predictor, add_pyfunc_section, inside_model

FLAVOR_NAME = "sklearn"
MODEL_FILE = "model.pkl"
LOADER_MODULE = "mlflow.sklearn"  # MLflow's own loader understands our files
FORMATS = ("pickle", "cloudpickle", "skops")
_PREDICT_FUNCTIONS = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "predict_joint_log_proba",
    "score",
    "transform",
)


class SklearnPredictor:
    """An estimator behind ``predict(data, params=None)``, calling its ``predict_fn``."""

    def __init__(self, estimator: Any, predict_fn: str = "predict") -> None:
        self.estimator = estimator
        self.predict_fn = predict_fn

    def get_raw_model(self) -> Any:
        return self.estimator

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        return getattr(self.estimator, self.predict_fn)(data)


class SklearnFlavor:
    name = FLAVOR_NAME

    def matches(self, model: Any) -> bool:
        if "sklearn" not in sys.modules:  # nothing from scikit-learn was ever imported
            return False
        from sklearn.base import BaseEstimator

        return isinstance(model, BaseEstimator)

    def save(
        self,
        model: Any,
        folder: Path,
        mlmodel: MLModel,
        predict_fn: str = "predict",
        **options: Any,
    ) -> list[str]:
        import cloudpickle
        import sklearn

        if predict_fn not in _PREDICT_FUNCTIONS or not hasattr(model, predict_fn):
            raise InvalidParameter(
                f"pyfunc_predict_fn {predict_fn!r} is not a method of this estimator "
                f"(one of {', '.join(f for f in _PREDICT_FUNCTIONS if hasattr(model, f))})",
                field="pyfunc_predict_fn",
            )
        with open(folder / MODEL_FILE, "wb") as out:
            # The default protocol, not cloudpickle's newest: older Pythons can read it.
            cloudpickle.dump(model, out, protocol=pickle.DEFAULT_PROTOCOL)
        mlmodel.add_flavor(
            FLAVOR_NAME,
            pickled_model=MODEL_FILE,
            sklearn_version=sklearn.__version__,
            serialization_format="cloudpickle",
            code=None,
        )
        add_pyfunc_section(mlmodel, LOADER_MODULE, model_path=MODEL_FILE, predict_fn=predict_fn)
        return ["scikit-learn", "cloudpickle", "numpy", "scipy", "pandas"]

    def load(self, folder: Path, mlmodel: MLModel) -> Any:
        settings = mlmodel.flavors.get(FLAVOR_NAME)
        if settings is not None:
            file_name = settings.get("pickled_model", MODEL_FILE)
            fmt = settings.get("serialization_format", "pickle")
            trusted = settings.get("skops_trusted_types")
        else:  # only a python_function section: MLflow assumes pickle too
            file_name = mlmodel.flavor(PYFUNC_FLAVOR).get("model_path", MODEL_FILE)
            fmt, trusted = "pickle", None
        path = inside_model(folder, str(file_name))
        if fmt not in FORMATS:
            raise InvalidParameter(
                f"unknown sklearn serialization_format {fmt!r} (known: {', '.join(FORMATS)})",
                field="serialization_format",
            )
        if fmt == "skops":
            try:
                import skops.io
            except ImportError as err:
                raise ImportError(
                    "This model was saved in the skops format: pip install skops"
                ) from err
            return skops.io.load(path, trusted=trusted)
        with open(path, "rb") as source:
            if fmt == "cloudpickle":
                import cloudpickle

                return cloudpickle.load(source)
            return pickle.load(source)

    def load_predictor(self, folder: Path, mlmodel: MLModel) -> Predictor:
        predict_fn = mlmodel.flavors.get(PYFUNC_FLAVOR, {}).get("predict_fn", "predict")
        if predict_fn not in _PREDICT_FUNCTIONS:
            raise InvalidParameter(f"unsupported predict_fn {predict_fn!r}", field="predict_fn")
        return SklearnPredictor(self.load(folder, mlmodel), predict_fn)
