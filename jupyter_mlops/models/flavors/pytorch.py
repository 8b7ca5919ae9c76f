"""The ``pytorch`` flavour, in the layout ``mlflow.pytorch`` reads (its ``pickle`` format).

The whole module is saved with ``torch.save`` as ``data/model.pth``, pickled by
``torch_pickle`` (cloudpickle), whose name goes to ``data/pickle_module_info.txt``; the
``python_function`` section names ``mlflow.pytorch`` as loader. Only available when torch
is importable; loading MLflow's ``pt2`` (torch.export) format is supported too.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

from ...errors import InvalidParameter
from ..mlmodel import PYFUNC_FLAVOR, MLModel
from . import torch_pickle
from .base import Predictor, add_pyfunc_section, inside_model

FLAVOR_NAME = "pytorch"
DATA_DIR = "data"
MODEL_FILE = "model.pth"
EXPORTED_FILE = "model.pt2"
PICKLE_MODULE_INFO = "pickle_module_info.txt"
LOADER_MODULE = "mlflow.pytorch"


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


class TorchPredictor:
    """A module behind ``predict``: DataFrames go in as float32, tensors come out as numpy
    arrays (or a DataFrame for DataFrame input), computed without gradients on ``device``."""

    def __init__(self, module: Any, device: str = "cpu") -> None:
        self.module = module
        self.device = device

    def get_raw_model(self) -> Any:
        return self.module

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        import numpy as np
        import torch

        frame = None
        try:
            import pandas as pd

            if isinstance(data, pd.DataFrame):
                frame = data
                data = data.to_numpy(dtype=np.float32)
        except ImportError:  # pragma: no cover
            pass
        if not isinstance(data, np.ndarray):
            raise InvalidParameter("a PyTorch model takes a DataFrame or an array", field="input")
        with torch.no_grad():
            output = self.module(torch.from_numpy(data).to(self.device), **(params or {}))
        if not isinstance(output, torch.Tensor):
            raise TypeError(f"the model returned {type(output).__name__}, not one tensor")
        result = output.cpu().numpy()
        if frame is not None:
            import pandas as pd

            return pd.DataFrame(result, index=frame.index)
        return result


class PyTorchFlavor:
    name = FLAVOR_NAME

    def matches(self, model: Any) -> bool:
        if "torch" not in sys.modules:
            return False
        import torch

        return isinstance(model, torch.nn.Module)

    def save(self, model: Any, folder: Path, mlmodel: MLModel, **options: Any) -> list[str]:
        import torch

        data = folder / DATA_DIR
        data.mkdir()
        (data / PICKLE_MODULE_INFO).write_text(torch_pickle.__name__, encoding="utf-8")
        if isinstance(model, torch.jit.ScriptModule):
            torch.jit.save(model, str(data / MODEL_FILE))
        else:
            torch.save(model, data / MODEL_FILE, pickle_module=torch_pickle)
        mlmodel.add_flavor(
            FLAVOR_NAME, model_data=DATA_DIR, pytorch_version=str(torch.__version__), code=None
        )
        add_pyfunc_section(
            mlmodel,
            LOADER_MODULE,
            data=DATA_DIR,
            pickle_module_name=torch_pickle.__name__,
            model_config={"device": None},
        )
        return ["torch", "cloudpickle", "numpy", "jupyter-mlops"]

    def load(self, folder: Path, mlmodel: MLModel, device: str = "cpu") -> Any:
        try:
            import torch
        except ImportError as err:
            raise ImportError("This is a PyTorch model: pip install torch") from err
        settings = mlmodel.flavors.get(FLAVOR_NAME) or mlmodel.flavor(PYFUNC_FLAVOR)
        data = inside_model(
            folder, str(settings.get("model_data") or settings.get("data", DATA_DIR))
        )
        if (data / EXPORTED_FILE).is_file():
            return torch.export.load(str(data / EXPORTED_FILE)).module()
        path = data / MODEL_FILE if data.is_dir() else data
        info = data / PICKLE_MODULE_INFO
        module_name = info.read_text(encoding="utf-8").strip() if info.is_file() else "pickle"
        # MLflow's cloudpickle shim and ours unpickle alike (the standard Unpickler), so a
        # model saved by MLflow loads without MLflow installed.
        pickle_module = (
            torch_pickle
            if module_name.startswith(("mlflow.", "jupyter_mlops."))
            else importlib.import_module(module_name)
        )
        try:
            module = torch.load(
                path, map_location=device, pickle_module=pickle_module, weights_only=False
            )
        except RuntimeError:  # a TorchScript archive
            module = torch.jit.load(str(path), map_location=device)
        module.eval()
        return module

    def load_predictor(self, folder: Path, mlmodel: MLModel) -> Predictor:
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
        return TorchPredictor(self.load(folder, mlmodel, device), device)
