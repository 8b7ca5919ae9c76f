"""``PyFuncModel``: a loaded model with one ``predict`` that enforces its signature."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .enforcement import enforce_params, enforce_schema
from .examples import load_example
from .flavors.base import Predictor, accepts_params
from .mlmodel import PYFUNC_FLAVOR, MLModel
from .schema import Signature


class PyFuncModel:
    """A model loaded as a Python function (what ``load_model`` returns).

    ``predict(data, params=None)`` checks ``data`` against the signature's inputs (and
    ``params`` against its params) and raises ``SchemaMismatch`` naming every mismatch
    before the model sees anything; models saved without a signature get the data as is.
    """

    def __init__(self, mlmodel: MLModel, predictor: Predictor, folder: Path) -> None:
        self.metadata = mlmodel
        self.folder = folder
        self._predictor = predictor
        settings = mlmodel.flavors.get(PYFUNC_FLAVOR, {})
        self._predict = predictor.predict
        self._accepts_params = accepts_params(self._predict)
        self.loader_module = settings.get("loader_module")

    def __repr__(self) -> str:
        flavors = ", ".join(self.metadata.flavors)
        return f"<PyFuncModel {self.metadata.model_id or self.metadata.model_uuid} ({flavors})>"

    @property
    def signature(self) -> Signature | None:
        return self.metadata.signature

    @property
    def input_example(self) -> Any:
        return load_example(self.folder, self.metadata.saved_input_example_info)

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        signature = self.metadata.signature
        if signature is not None and signature.inputs is not None:
            data = enforce_schema(data, signature.inputs)
        if signature is not None and (signature.params is not None or params):
            params = enforce_params(params, signature.params)
        if self._accepts_params:
            return self._predict(data, params=params or None)
        return self._predict(data)

    def get_raw_model(self) -> Any:
        """The underlying model object (estimator, torch module, custom model)."""
        raw = getattr(self._predictor, "get_raw_model", None)
        return raw() if callable(raw) else self._predictor

    def unwrap_python_model(self) -> Any:
        """The custom model object of a python_function model (as MLflow names it)."""
        return self.get_raw_model()
