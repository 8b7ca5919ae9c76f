"""Tracking stores: the abstract interface and its SQLAlchemy implementation."""

from .base import TrackingStore

__all__ = ["TrackingStore"]
