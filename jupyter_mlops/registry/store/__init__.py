"""The registry's SQL store (``SqlRegistryStore``) and its ORM models."""

from .sql_store import SqlRegistryStore

__all__ = ["SqlRegistryStore"]
