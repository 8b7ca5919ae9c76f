"""One scoring request against a loaded model (used by both servers)."""

from __future__ import annotations

import logging
from typing import Any

from ...errors import MLOpsError
from ..pyfunc_model import PyFuncModel
from .protocol import parse_request, predictions_document

log = logging.getLogger(__name__)


class PredictionFailed(MLOpsError):
    """The model raised on an input that passed its signature (or it has none): as in
    MLflow, a 400, since the input is what the model could not handle."""

    code = "BAD_REQUEST"
    http_status = 400


def invoke(model: PyFuncModel, body: bytes, content_type: str | None) -> dict[str, Any]:
    """Parse ``body``, predict, and return ``{"predictions": ...}``. Blocking: call it off
    the event loop."""
    signature = model.signature
    data, params = parse_request(body, content_type, signature.inputs if signature else None)
    try:
        predictions = model.predict(data, params)
    except MLOpsError:
        raise
    except Exception as err:
        log.info("jupyter-mlops: the model failed on a request", exc_info=True)
        raise PredictionFailed(
            f"The model failed on this input: {type(err).__name__}: {err}", field="input"
        ) from err
    return predictions_document(predictions)
