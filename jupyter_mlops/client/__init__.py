"""Tracking clients: ``MlopsClient`` (explicit) and the fluent notebook API (``fluent``)."""

from .client import MlopsClient

__all__ = ["MlopsClient"]
