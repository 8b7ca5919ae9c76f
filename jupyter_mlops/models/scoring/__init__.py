"""Scoring: MLflow's scoring protocol (``protocol``), one request (``invoke``), the
standalone server behind ``jupyter mlops serve`` (``server``), and the scoring workers
that load models for the jupyter server's predict endpoint (``pool``, ``worker``,
``targets``)."""

from .invoke import PredictionFailed, invoke
from .protocol import UnsupportedContentType, parse_request, predictions_document

__all__ = [
    "PredictionFailed",
    "UnsupportedContentType",
    "invoke",
    "parse_request",
    "predictions_document",
]
