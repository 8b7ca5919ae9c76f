"""SQLAlchemy ORM models of the pipeline store; rows never leave the store.

Specs, arguments, inputs and outputs are JSON text. Times are integer milliseconds.
The schema is created by migration ``0004_pipelines``; a test checks they agree.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from jupyter_mlops.database.base import Base, BigId


class SqlPipeline(Base):
    """A saved pipeline spec (uploaded, or compiled from a file), listed in the panel."""

    __tablename__ = "pipelines"

    pipeline_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(63), nullable=False)
    owner: Mapped[str] = mapped_column(String(256), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    spec: Mapped[str] = mapped_column(Text, nullable=False)
    source_path: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    created_time: Mapped[int] = mapped_column(BigInteger, nullable=False)
    updated_time: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (UniqueConstraint("owner", "name", name="uq_pipelines_owner_name"),)


class SqlPipelineRun(Base):
    __tablename__ = "pipeline_runs"

    run_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(63), nullable=False)
    owner: Mapped[str] = mapped_column(String(256), nullable=False)
    spec: Mapped[str] = mapped_column(Text, nullable=False)
    arguments: Mapped[str] = mapped_column(Text, nullable=False)
    backend: Mapped[str] = mapped_column(String(32), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    # Items of expanded loops ({loop: [items] | null}) and the pipeline's outputs.
    loops: Mapped[str] = mapped_column(Text, nullable=False)
    outputs: Mapped[str] = mapped_column(Text, nullable=False)
    tracking_run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    experiment_id: Mapped[str] = mapped_column(String(32), nullable=False)
    schedule_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # The backend's handle (an Argo Workflow's name).
    backend_ref: Mapped[str | None] = mapped_column(String(253), nullable=True)
    attempt: Mapped[int] = mapped_column(Integer, nullable=False)
    created_time: Mapped[int] = mapped_column(BigInteger, nullable=False)
    start_time: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    end_time: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_time: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (
        Index("ix_pipeline_runs_created", "created_time", "run_id"),
        Index("ix_pipeline_runs_state_backend", "state", "backend"),
        Index("ix_pipeline_runs_schedule", "schedule_id", "state"),
    )


class SqlStepRun(Base):
    __tablename__ = "pipeline_step_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("pipeline_runs.run_id", ondelete="CASCADE"), nullable=False
    )
    step_id: Mapped[str] = mapped_column(String(100), nullable=False)
    task: Mapped[str] = mapped_column(String(63), nullable=False)
    iteration: Mapped[int | None] = mapped_column(Integer, nullable=True)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    attempt: Mapped[int] = mapped_column(Integer, nullable=False)
    cached: Mapped[bool] = mapped_column(Boolean, nullable=False)
    cache_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cached_from: Mapped[str | None] = mapped_column(String(32), nullable=True)
    tracking_run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    inputs: Mapped[str] = mapped_column(Text, nullable=False)
    outputs: Mapped[str] = mapped_column(Text, nullable=False)
    backend_ref: Mapped[str | None] = mapped_column(String(253), nullable=True)
    start_time: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    end_time: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_time: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (
        UniqueConstraint("run_id", "step_id", name="uq_pipeline_step_runs_run_id"),
        # Cache look-ups: the newest successful step with a key.
        Index("ix_pipeline_step_runs_cache", "cache_key", "state"),
    )


class SqlSchedule(Base):
    __tablename__ = "pipeline_schedules"

    schedule_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(256), nullable=False)
    owner: Mapped[str] = mapped_column(String(256), nullable=False)
    cron: Mapped[str] = mapped_column(String(128), nullable=False)
    spec: Mapped[str] = mapped_column(Text, nullable=False)
    arguments: Mapped[str] = mapped_column(Text, nullable=False)
    backend: Mapped[str] = mapped_column(String(32), nullable=False)
    experiment_id: Mapped[str] = mapped_column(String(32), nullable=False)
    # "skip": no new run while the last one runs; "queue": start it when that one ends.
    policy: Mapped[str] = mapped_column(String(8), nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False)
    queued: Mapped[int] = mapped_column(Integer, nullable=False)
    next_fire_time: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_time: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (Index("ix_pipeline_schedules_due", "enabled", "next_fire_time"),)
