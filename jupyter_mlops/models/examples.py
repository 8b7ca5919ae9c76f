"""Input examples: ``input_example.json`` and ``serving_input_example.json`` as MLflow writes
them, plus JSON conversion of predictions (shared by the scoring servers).

A DataFrame is stored in pandas' ``split`` orient (type ``dataframe``), an array or a dict
of arrays as nested lists (type ``ndarray``), anything else JSON-able as it is (type
``json_object``). The serving example is the same data wrapped as a scoring request.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InvalidParameter

INPUT_EXAMPLE_FILE = "input_example.json"
SERVING_EXAMPLE_FILE = "serving_input_example.json"


def to_jsonable(value: Any) -> Any:
    """Predictions (or an example) as JSON values: DataFrames as records, arrays as lists."""
    import numpy as np

    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        pd = None
    if pd is not None:
        if isinstance(value, pd.DataFrame):
            return [
                {str(k): to_jsonable(v) for k, v in row.items()}
                for row in value.to_dict(orient="records")
            ]
        if isinstance(value, pd.Series):
            return [to_jsonable(v) for v in value.tolist()]
        if value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN and infinities have no JSON form
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "numpy"):  # a torch tensor
        return to_jsonable(value.detach().cpu().numpy())
    raise InvalidParameter(f"cannot turn {type(value).__name__} into JSON", field="predictions")


def _example_document(example: Any) -> tuple[str, Any, dict[str, Any]]:
    """(type, JSON document, extra info) of an input example."""
    import numpy as np

    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        pd = None
    if pd is not None and isinstance(example, pd.Series):
        example = example.to_frame()
    if pd is not None and isinstance(example, pd.DataFrame):
        document = {
            "columns": [str(c) for c in example.columns],
            # row tuples, not to_numpy(): that would turn the ints of mixed rows into floats
            "data": to_jsonable([list(row) for row in example.itertuples(index=False, name=None)]),
        }
        return "dataframe", document, {"pandas_orient": "split"}
    if isinstance(example, np.ndarray):
        return "ndarray", to_jsonable(example), {}
    if (
        isinstance(example, Mapping)
        and example
        and all(isinstance(v, np.ndarray) for v in example.values())
    ):
        return "ndarray", {str(k): to_jsonable(v) for k, v in example.items()}, {}
    return "json_object", to_jsonable(example), {}


def save_example(folder: Path, example: Any) -> dict[str, Any]:
    """Write the example files; returns the MLmodel ``saved_input_example_info``."""
    kind, document, extra = _example_document(example)
    (folder / INPUT_EXAMPLE_FILE).write_text(json.dumps(document), encoding="utf-8")
    serving = {"dataframe_split": document} if kind == "dataframe" else {"inputs": document}
    (folder / SERVING_EXAMPLE_FILE).write_text(json.dumps(serving, indent=2), encoding="utf-8")
    return {
        "artifact_path": INPUT_EXAMPLE_FILE,
        "serving_input_path": SERVING_EXAMPLE_FILE,
        "type": kind,
        **extra,
    }


def load_example(folder: Path, info: Mapping[str, Any] | None) -> Any:
    """The saved input example (None when the model has none)."""
    if not info:
        return None
    path = folder / str(info.get("artifact_path", INPUT_EXAMPLE_FILE))
    if not path.is_file():
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    if info.get("type") == "dataframe":
        import pandas as pd

        if isinstance(document, dict) and "dataframe_split" in document:
            document = document["dataframe_split"]
        return pd.DataFrame(data=document["data"], columns=document.get("columns"))
    if info.get("type") == "ndarray":
        import numpy as np

        if isinstance(document, dict) and "inputs" in document:
            document = document["inputs"]
        if isinstance(document, dict):
            return {k: np.asarray(v) for k, v in document.items()}
        return np.asarray(document)
    return document
