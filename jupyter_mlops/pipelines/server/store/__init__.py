"""The pipeline store: pipelines, pipeline runs, step runs and schedules (SQLAlchemy)."""

from .sql_store import SqlPipelineStore

__all__ = ["SqlPipelineStore"]
