"""Plain entities of the tracking domain.

These are what leaves a store and what every API serialises; ORM rows never do.
Times are integers in milliseconds since the epoch, as in MLflow.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


class LifecycleStage(str, enum.Enum):
    ACTIVE = "active"
    DELETED = "deleted"


class ViewType(str, enum.Enum):
    """Which lifecycle stages a listing includes."""

    ACTIVE_ONLY = "ACTIVE_ONLY"
    DELETED_ONLY = "DELETED_ONLY"
    ALL = "ALL"


class RunStatus(str, enum.Enum):
    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"

    @property
    def is_terminal(self) -> bool:
        return self in (RunStatus.FINISHED, RunStatus.FAILED, RunStatus.KILLED)


@dataclass(frozen=True, slots=True)
class Experiment:
    experiment_id: str
    name: str
    owner: str
    description: str
    artifact_location: str
    lifecycle_stage: LifecycleStage
    creation_time: int
    last_update_time: int
    tags: dict[str, str] = field(default_factory=dict)


# Metric and MetricBucket are read back by the 100,000 (a full history): a frozen
# dataclass's __init__ (object.__setattr__ per field) costs three times a plain slots one.
# They are treated as immutable all the same; unsafe_hash keeps them hashable.
@dataclass(slots=True, unsafe_hash=True)
class Metric:
    """One logged point. ``value`` may be NaN or +/-inf. Treat as immutable."""

    key: str
    value: float
    timestamp: int
    step: int = 0


@dataclass(frozen=True, slots=True)
class MetricSummary:
    """Per run and key: the latest point (highest step, then timestamp) plus min and max.

    Kept up to date on every write so that search and sort never scan the history.
    ``min``/``max`` ignore NaN and are None when every value was NaN.
    """

    key: str
    value: float
    timestamp: int
    step: int
    min: float | None
    max: float | None


@dataclass(slots=True, unsafe_hash=True)  # not frozen: see Metric
class MetricBucket:
    """One point of a downsampled history: a run of consecutive steps reduced to one.

    ``value`` is the bucket's last value; ``min``/``max`` keep spikes visible.
    """

    step: int
    timestamp: int
    value: float
    min: float | None
    max: float | None
    count: int


@dataclass(frozen=True, slots=True)
class RunMetricHistory:
    """One metric's history in one run, as a chart over several runs asks for it."""

    run_id: str
    key: str
    points: list[Metric] | list[MetricBucket]


def is_external_location(location: str) -> bool:
    """Whether an experiment's or run's artifact location is a URI of an object store
    outside our artifact root (``s3://bucket/...``, allowed by an admin), which the
    server only records: locations in our root are root-relative paths, without a scheme."""
    return "://" in location


@dataclass(frozen=True, slots=True)
class RunInfo:
    run_id: str
    run_name: str
    experiment_id: str
    user: str
    status: RunStatus
    start_time: int
    end_time: int | None
    parent_run_id: str | None
    lifecycle_stage: LifecycleStage
    # Relative to the artifact root ("<experiment_id>/<run_id>/artifacts"), or under an
    # external object store's URI (is_external_location) for its experiment's runs.
    artifact_uri: str


#: The input tag saying what a run used a dataset for ("training", "eval"...), as in MLflow.
DATASET_CONTEXT_TAG = "mlflow.data.context"


@dataclass(frozen=True, slots=True)
class Dataset:
    """A dataset of an experiment, one per (name, digest) there.

    ``source`` says where the data came from, read by ``source_type`` (MLflow keeps JSON
    there, such as ``{"uri": "s3://bucket/train.csv"}``); ``schema`` and ``profile`` are
    optional JSON text (columns and types; row counts and the like).
    """

    name: str
    digest: str
    source_type: str
    source: str
    schema: str | None = None
    profile: str | None = None


@dataclass(frozen=True, slots=True)
class DatasetInput:
    """A dataset a run used, with the input's tags (``mlflow.data.context`` and others)."""

    dataset: Dataset
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def context(self) -> str | None:
        """What the run used the dataset for ("training", "eval"...), if it was said."""
        return self.tags.get(DATASET_CONTEXT_TAG)


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    """One (dataset, context) pair used by runs of an experiment (MLflow's SearchDatasets)."""

    experiment_id: str
    name: str
    digest: str
    context: str | None


@dataclass(frozen=True, slots=True)
class LoggedModelRef:
    """A logged model a run used (an input) or produced (an output); ``name`` is the
    model's name, for display; ``step``, of an output, the step at which the run logged
    it (MLflow's ``LoggedModelOutput.step``; 0 where none was said)."""

    model_id: str
    name: str | None = None
    step: int = 0


@dataclass(frozen=True, slots=True)
class RunInputs:
    datasets: tuple[DatasetInput, ...] = ()
    models: tuple[LoggedModelRef, ...] = ()


@dataclass(frozen=True, slots=True)
class RunOutputs:
    """What a run produced: the logged models whose ``source_run_id`` is the run."""

    models: tuple[LoggedModelRef, ...] = ()


NO_INPUTS = RunInputs()
NO_OUTPUTS = RunOutputs()


@dataclass(frozen=True, slots=True)
class Run:
    info: RunInfo
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, MetricSummary] = field(default_factory=dict)
    inputs: RunInputs = NO_INPUTS
    outputs: RunOutputs = NO_OUTPUTS


@dataclass(frozen=True, slots=True)
class FileInfo:
    path: str  # relative to the run's artifact root, "/"-separated
    is_dir: bool
    file_size: int | None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing; ``next_page_token`` is None on the last page."""

    items: list[T]
    next_page_token: str | None
