"""SQLAlchemy ORM models of MLflow 3 logged models, the registry's owned sub-domain.

``Sql*`` rows never leave the logged-models store. The tables are created by migration
``0002_model_registry`` (``0010`` added metric datasets and output steps); a test compares
the migrated schema with these models. Tracking's ``run_model_inputs`` points
at ``logged_models`` by a foreign key, but no SQL outside this sub-domain reads these tables.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import BigInteger, Double, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from jupyter_mlops.database.base import Base, BigId

KEY_LENGTH = 250
LOCATION_LENGTH = 1024
DATASET_NAME_LENGTH = 500
DATASET_DIGEST_LENGTH = 36


class SqlLoggedModel(Base):
    __tablename__ = "logged_models"

    model_id: Mapped[str] = mapped_column(String(34), primary_key=True)
    experiment_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("experiments.experiment_id"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(500), nullable=False)
    artifact_location: Mapped[str] = mapped_column(String(LOCATION_LENGTH), nullable=False)
    creation_timestamp: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_updated_timestamp: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    status_message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    source_run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The step MLflow's ``log_outputs`` gave the model as that run's output; NULL reads 0.
    source_run_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    model_type: Mapped[str | None] = mapped_column(String(500), nullable=True)
    creator_id: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    lifecycle_stage: Mapped[str] = mapped_column(String(32), nullable=False)

    __table_args__ = (
        Index("ix_logged_models_experiment", "experiment_id", "creation_timestamp", "model_id"),
        Index("ix_logged_models_source_run_id", "source_run_id"),
    )


class SqlLoggedModelTag(Base):
    __tablename__ = "logged_model_tags"

    model_id: Mapped[str] = mapped_column(
        String(34), ForeignKey("logged_models.model_id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class SqlLoggedModelParam(Base):
    __tablename__ = "logged_model_params"

    model_id: Mapped[str] = mapped_column(
        String(34), ForeignKey("logged_models.model_id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class SqlLoggedModelMetric(Base):
    __tablename__ = "logged_model_metrics"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    model_id: Mapped[str] = mapped_column(
        String(34), ForeignKey("logged_models.model_id", ondelete="CASCADE"), nullable=False
    )
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), nullable=False)
    # NULL means NaN (SQLite cannot store NaN), as in the tracking tables.
    value: Mapped[float | None] = mapped_column(Double, nullable=True)
    timestamp: Mapped[int] = mapped_column(BigInteger, nullable=False)
    step: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The dataset the metric was measured on (MLflow's limits for its name and digest).
    dataset_name: Mapped[str | None] = mapped_column(String(DATASET_NAME_LENGTH), nullable=True)
    dataset_digest: Mapped[str | None] = mapped_column(String(DATASET_DIGEST_LENGTH), nullable=True)

    __table_args__ = (Index("ix_logged_model_metrics_model", "model_id", "key", "step"),)


logged_models = cast(Table, SqlLoggedModel.__table__)
logged_model_tags = cast(Table, SqlLoggedModelTag.__table__)
logged_model_params = cast(Table, SqlLoggedModelParam.__table__)
logged_model_metrics = cast(Table, SqlLoggedModelMetric.__table__)
