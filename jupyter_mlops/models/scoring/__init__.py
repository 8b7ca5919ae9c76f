"""Scoring: MLflow's scoring protocol (``protocol``), one request (``invoke``), and the
standalone server behind ``jupyter mlops serve`` (``server``)."""

from .invoke import PredictionFailed, invoke
from .protocol import UnsupportedContentType, parse_request, predictions_document

__all__ = [
    "PredictionFailed",
    "UnsupportedContentType",
    "invoke",
    "parse_request",
    "predictions_document",
]
