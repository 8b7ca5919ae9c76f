"""Model packaging in MLflow's open MLmodel format, without MLflow installed.

``log_model`` / ``save_model`` write scikit-learn, PyTorch and custom Python models with a
signature inferred from an input example; ``load_model`` reads them (and models written by
MLflow) back as a ``PyFuncModel`` whose ``predict`` enforces the signature. The scoring
server (``jupyter mlops serve``) lives in ``jupyter_mlops.models.scoring``.
"""

from .api import ModelInfo, load_model, load_native_model, log_model, save_model
from .enforcement import SchemaMismatch
from .flavors.pyfunc import PythonModel, PythonModelContext
from .inference import infer_signature
from .mlmodel import MLModel
from .pyfunc_model import PyFuncModel
from .schema import ColSpec, ParamSchema, ParamSpec, Schema, Signature, TensorSpec

__all__ = [
    "ColSpec",
    "MLModel",
    "ModelInfo",
    "ParamSchema",
    "ParamSpec",
    "PyFuncModel",
    "PythonModel",
    "PythonModelContext",
    "Schema",
    "SchemaMismatch",
    "Signature",
    "TensorSpec",
    "infer_signature",
    "load_model",
    "load_native_model",
    "log_model",
    "save_model",
]
