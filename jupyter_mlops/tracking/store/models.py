"""SQLAlchemy ORM models of the tracking store.

``Sql*`` rows never leave the store: it converts them to entities. The schema is created
and changed only by the Alembic migrations in ``jupyter_mlops/database/migrations/``; a test
checks that these models and the migrated schema agree.

NaN cannot be stored portably (SQLite turns it into NULL), so metric values are nullable
and NULL means NaN on both databases. Times are integer milliseconds.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from jupyter_mlops.database.base import Base, BigId

KEY_LENGTH = 250
PARAM_VALUE_LENGTH = 8000


class SqlExperiment(Base):
    __tablename__ = "experiments"

    experiment_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(500), nullable=False, unique=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    owner: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    artifact_location: Mapped[str] = mapped_column(String(1000), nullable=False)
    lifecycle_stage: Mapped[str] = mapped_column(String(32), nullable=False)
    creation_time: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_update_time: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (
        # search_experiments: newest first within a lifecycle stage.
        Index("ix_experiments_stage_created", "lifecycle_stage", "creation_time", "experiment_id"),
    )


class SqlExperimentTag(Base):
    __tablename__ = "experiment_tags"

    experiment_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("experiments.experiment_id"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class SqlRun(Base):
    __tablename__ = "runs"

    run_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    experiment_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("experiments.experiment_id"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(250), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    start_time: Mapped[int] = mapped_column(BigInteger, nullable=False)
    end_time: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    user: Mapped[str] = mapped_column("user_id", String(256), nullable=False)
    parent_run_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    lifecycle_stage: Mapped[str] = mapped_column(String(32), nullable=False)
    artifact_uri: Mapped[str] = mapped_column(String(1000), nullable=False)
    # Set on soft delete (for a later garbage collection); cleared on restore.
    deleted_time: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # True when the run was deleted by deleting its experiment: restoring the experiment
    # brings back exactly these runs, not the ones deleted on their own before.
    deleted_with_experiment: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )

    __table_args__ = (
        # search_runs in given experiments, ordered by start time (the default order).
        Index("ix_runs_experiment_stage_start", "experiment_id", "lifecycle_stage", "start_time"),
        # search_runs across all experiments.
        Index("ix_runs_stage_start", "lifecycle_stage", "start_time"),
        Index("ix_runs_parent_run_id", "parent_run_id"),
    )


class SqlParam(Base):
    __tablename__ = "params"

    run_id: Mapped[str] = mapped_column(String(32), ForeignKey("runs.run_id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(String(PARAM_VALUE_LENGTH), nullable=False)

    __table_args__ = (
        # Filters such as params.lr = '0.1' find their runs through (key, value).
        # PostgreSQL's btree rejects index rows over ~2.7 kB and values may be 6000
        # characters, so there the index is on key alone (see the migration).
        Index("ix_params_key_value", "key", "value").ddl_if(dialect="sqlite"),
        Index("ix_params_key", "key").ddl_if(dialect="postgresql"),
    )


class SqlTag(Base):
    __tablename__ = "tags"

    run_id: Mapped[str] = mapped_column(String(32), ForeignKey("runs.run_id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)

    __table_args__ = (
        Index("ix_tags_key_value", "key", "value").ddl_if(dialect="sqlite"),
        Index("ix_tags_key", "key").ddl_if(dialect="postgresql"),
    )


class SqlLatestMetric(Base):
    """One metric series of a run: its id, how many points it has, the latest point (by
    step, then timestamp, then value) and the NaN-ignoring min and max over the whole
    history. Search and sort read only this table."""

    __tablename__ = "latest_metrics"

    run_id: Mapped[str] = mapped_column(String(32), ForeignKey("runs.run_id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    # Numbers the series for metric_points (SQLite: max + 1 under the write lock;
    # PostgreSQL: the sequence latest_metrics_series_id_seq).
    series_id: Mapped[int] = mapped_column(BigInteger, nullable=False, unique=True)
    # Points logged so far; a batch's points are numbered from here (metric_points.seq).
    points: Mapped[int] = mapped_column(BigInteger, nullable=False)
    value: Mapped[float | None] = mapped_column(Double, nullable=True)  # NULL = NaN
    step: Mapped[int] = mapped_column(BigInteger, nullable=False)
    timestamp: Mapped[int] = mapped_column(BigInteger, nullable=False)
    min_value: Mapped[float | None] = mapped_column(Double, nullable=True)
    max_value: Mapped[float | None] = mapped_column(Double, nullable=True)

    __table_args__ = (
        Index("ix_latest_metrics_key_value", "key", "value"),
        Index("ix_latest_metrics_key_min", "key", "min_value"),
        Index("ix_latest_metrics_key_max", "key", "max_value"),
    )


class SqlMetricPoint(Base):
    """One logged point. Append-only; the same (step, timestamp, value) may repeat, told
    apart by ``seq``, the point's number within its series.

    The primary key is the history order, and on SQLite the table is WITHOUT ROWID: the
    rows live in that one b-tree, so a point is written once (not to a table and a
    covering index) and a history read is one range scan of narrow integer keys.
    """

    __tablename__ = "metric_points"

    series_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("latest_metrics.series_id"), primary_key=True
    )
    step: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    timestamp: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    value: Mapped[float | None] = mapped_column(Double, nullable=True)  # NULL = NaN

    __table_args__ = {"sqlite_with_rowid": False}


class SqlMetricRollup(Base):
    """A block of consecutive steps of one series at one level, pre-aggregated for
    downsampling (see ``rollups.py``). ``level`` is the block width's log2."""

    __tablename__ = "metric_rollups"

    series_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("latest_metrics.series_id"), primary_key=True
    )
    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    block: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    first_step: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_step: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_timestamp: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_value: Mapped[float | None] = mapped_column(Double, nullable=True)  # NULL = NaN
    min_value: Mapped[float | None] = mapped_column(Double, nullable=True)
    max_value: Mapped[float | None] = mapped_column(Double, nullable=True)
    points: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = {"sqlite_with_rowid": False}


class SqlDataset(Base):
    """A dataset of an experiment (migration 0007): one row per (experiment, name, digest),
    shared by every run of the experiment that used it. Its first description stays."""

    __tablename__ = "datasets"

    dataset_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    experiment_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("experiments.experiment_id"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(500), nullable=False)
    digest: Mapped[str] = mapped_column(String(36), nullable=False)
    source_type: Mapped[str] = mapped_column(String(36), nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    data_schema: Mapped[str | None] = mapped_column(Text, nullable=True)
    profile: Mapped[str | None] = mapped_column(Text, nullable=True)
    creation_time: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (
        # Finds an experiment's dataset on log_inputs and lists them for search-datasets.
        UniqueConstraint("experiment_id", "name", "digest"),
    )


class SqlRunDataset(Base):
    """A dataset a run used, with the input's tags as one JSON object (written once with
    the input, read whole). ``context`` copies the ``mlflow.data.context`` tag for queries."""

    __tablename__ = "run_datasets"

    run_id: Mapped[str] = mapped_column(String(32), ForeignKey("runs.run_id"), primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("datasets.dataset_id"), primary_key=True
    )
    context: Mapped[str | None] = mapped_column(String(500), nullable=True)
    tags: Mapped[str] = mapped_column(Text, nullable=False)
    logged_time: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (
        # search-datasets: the inputs of an experiment's datasets.
        Index("ix_run_datasets_dataset_id", "dataset_id"),
    )


class SqlRunModelInput(Base):
    """A logged model a run used (MLflow's model inputs). The models a run produced are
    not kept here: a logged model's ``source_run_id`` says that, once."""

    __tablename__ = "run_model_inputs"

    run_id: Mapped[str] = mapped_column(String(32), ForeignKey("runs.run_id"), primary_key=True)
    model_id: Mapped[str] = mapped_column(
        String(34), ForeignKey("logged_models.model_id"), primary_key=True
    )
    logged_time: Mapped[int] = mapped_column(BigInteger, nullable=False)


class SqlRunHeartbeat(Base):
    """When a run's process last said it was alive (migration 0008). Only runs that ever
    sent a heartbeat have a row, so only they can be found dead."""

    __tablename__ = "run_heartbeats"

    run_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True
    )
    last_seen: Mapped[int] = mapped_column(BigInteger, nullable=False)

    __table_args__ = (
        # mark_dead_runs: the runs not seen since a cutoff.
        Index("ix_run_heartbeats_last_seen", "last_seen"),
    )


class SqlMetricWriteMark(Base):
    """The last spool sequence number of a writer's points of a run that is stored
    (migration 0009): a replayed spool skips what is already here (client/spool.py)."""

    __tablename__ = "metric_write_marks"

    writer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    run_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True
    )
    applied_through: Mapped[int] = mapped_column(BigInteger, nullable=False)


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


# The tables, for Core statements (the hot paths use Core, not ORM objects).
experiments = _table(SqlExperiment)
experiment_tags = _table(SqlExperimentTag)
runs = _table(SqlRun)
params = _table(SqlParam)
tags = _table(SqlTag)
latest_metrics = _table(SqlLatestMetric)
metric_points = _table(SqlMetricPoint)
metric_rollups = _table(SqlMetricRollup)
datasets = _table(SqlDataset)
run_datasets = _table(SqlRunDataset)
run_model_inputs = _table(SqlRunModelInput)
run_heartbeats = _table(SqlRunHeartbeat)
metric_write_marks = _table(SqlMetricWriteMark)
