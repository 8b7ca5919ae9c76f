"""The tracking store interface.

A store persists entities and enforces integrity (ids exist, names are unique, params
are immutable, deleted runs take no writes). It does not check permissions or input
shapes: the service above it does, so that every API shares one set of rules.
Every method is synchronous and safe to call from several threads; callers on an
event loop run it in an executor.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence

from ..entities import (
    DatasetInput,
    DatasetSummary,
    Experiment,
    LifecycleStage,
    Metric,
    MetricBucket,
    Page,
    Run,
    RunInfo,
    RunStatus,
    ViewType,
)

DEFAULT_EXPERIMENT_ID = "0"
DEFAULT_EXPERIMENT_NAME = "Default"


class TrackingStore(abc.ABC):
    # -- experiments -------------------------------------------------------------------
    @abc.abstractmethod
    def create_experiment(
        self,
        name: str,
        owner: str,
        description: str = "",
        tags: Mapping[str, str] | None = None,
        artifact_location: str | None = None,
    ) -> Experiment:
        """Create an experiment. AlreadyExists if an experiment (active or deleted) has ``name``.

        ``artifact_location`` defaults to ``"<experiment_id>"`` (relative to the artifact root).
        """

    @abc.abstractmethod
    def get_experiment(self, experiment_id: str) -> Experiment:
        """NotFound if no experiment has this id (deleted ones are returned)."""

    @abc.abstractmethod
    def get_experiment_by_name(self, name: str) -> Experiment:
        """NotFound if no experiment has this name."""

    @abc.abstractmethod
    def search_experiments(
        self,
        view: ViewType = ViewType.ACTIVE_ONLY,
        name_like: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> Page[Experiment]:
        """List experiments, newest first (creation_time DESC, id DESC), keyset-paged.

        ``name_like`` is a case-insensitive SQL LIKE pattern.
        """

    @abc.abstractmethod
    def update_experiment(
        self, experiment_id: str, name: str | None = None, description: str | None = None
    ) -> Experiment:
        """Rename and/or re-describe. AlreadyExists on a taken name; InvalidState if deleted."""

    @abc.abstractmethod
    def set_experiment_tags(self, experiment_id: str, tags: Mapping[str, str]) -> None: ...

    @abc.abstractmethod
    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        """NotFound if the tag does not exist."""

    @abc.abstractmethod
    def delete_experiment(self, experiment_id: str) -> None:
        """Soft delete: the experiment and its runs move to the deleted stage."""

    @abc.abstractmethod
    def restore_experiment(self, experiment_id: str) -> None:
        """Undo delete_experiment (runs deleted with it come back too)."""

    @abc.abstractmethod
    def count_runs_by_experiment(self, experiment_ids: Sequence[str]) -> dict[str, int]:
        """Active runs per experiment, in one query."""

    # -- runs ----------------------------------------------------------------------------
    @abc.abstractmethod
    def create_run(
        self,
        experiment_id: str,
        user: str,
        run_name: str | None = None,
        start_time: int | None = None,
        tags: Mapping[str, str] | None = None,
        parent_run_id: str | None = None,
    ) -> Run:
        """Start a RUNNING run. A name is generated (``adjective-noun-NNN``) when not given.

        NotFound for an unknown experiment or parent; InvalidState if the experiment is deleted.
        """

    @abc.abstractmethod
    def get_run(self, run_id: str) -> Run:
        """The run with its params, tags and metric summaries. NotFound if unknown."""

    def get_run_info(self, run_id: str) -> RunInfo:
        """Only the run's attributes (one cheap lookup): what permission and state checks need.

        NotFound if unknown. Stores should override this default, which loads everything.
        """
        return self.get_run(run_id).info

    @abc.abstractmethod
    def update_run(
        self,
        run_id: str,
        status: RunStatus | None = None,
        end_time: int | None = None,
        run_name: str | None = None,
    ) -> RunInfo:
        """Change status/end time/name. Setting a terminal status without end_time sets it to now;
        setting RUNNING clears end_time (resume)."""

    @abc.abstractmethod
    def set_run_lifecycle(self, run_id: str, stage: LifecycleStage) -> None:
        """Soft delete (DELETED) or restore (ACTIVE) a run."""

    @abc.abstractmethod
    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Append metrics, add params, upsert tags, atomically: all or nothing.

        InvalidParameter (field ``params.<key>``) if a param already holds another value;
        InvalidState if the run is deleted. Metric summaries are updated in the same
        transaction. NaN is stored and read back as NaN.
        """

    @abc.abstractmethod
    def delete_run_tag(self, run_id: str, key: str) -> None:
        """NotFound if the tag does not exist."""

    @abc.abstractmethod
    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] = (),
        model_ids: Sequence[str] = (),
    ) -> None:
        """Record datasets and logged models the run used, atomically.

        A dataset is created in the run's experiment unless one with its (name, digest)
        is there already, which is then used as it is. An input the run already has is
        kept as it was (its tags too), as in MLflow. InvalidState if the run is deleted.
        The logged models are the caller's to check (another domain owns them); run reads
        (get_run, search_runs) return the model inputs by id only, without their names.
        """

    @abc.abstractmethod
    def search_datasets(
        self, experiment_ids: Sequence[str], max_results: int = 1000
    ) -> list[DatasetSummary]:
        """The distinct (dataset, context) pairs used by runs of these experiments, by
        experiment, name, digest and context; at most ``max_results``."""

    @abc.abstractmethod
    def get_metric_history(self, run_id: str, key: str) -> list[Metric]:
        """Every point of one metric, ordered by step then timestamp. [] for an unknown key."""

    @abc.abstractmethod
    def get_metric_history_downsampled(
        self, run_id: str, key: str, max_points: int
    ) -> list[MetricBucket]:
        """At most ``max_points`` buckets over the step range, each keeping min and max.

        Computed in SQL, so a 100,000-point history is reduced without being loaded.
        """

    # -- search ------------------------------------------------------------------------
    @abc.abstractmethod
    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        view: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[Run]:
        """Runs of the given experiments (all experiments when empty) matching the filter.

        Default order ``attributes.start_time DESC``; the run id breaks ties. Pages are
        keyset-paged: the token encodes the last row's sort values, so deep pages cost
        the same as the first. Only the page's runs have their params/tags/metrics loaded.
        InvalidParameter (field ``filter``, ``order_by`` or ``page_token``) on bad input.
        """

    @abc.abstractmethod
    def count_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        view: ViewType = ViewType.ACTIVE_ONLY,
    ) -> int:
        """How many runs search_runs would return over all pages (one COUNT query)."""

    # -- heartbeats ----------------------------------------------------------------------
    @abc.abstractmethod
    def record_heartbeat(self, run_id: str, now: int, end_tag: tuple[str, str]) -> bool:
        """Note that the run's process is alive at ``now`` (ms). A run KILLED with the tag
        ``end_tag`` (key, value) becomes RUNNING again: end time cleared, tag removed.
        True if it was revived. NotFound if the run is unknown."""

    def try_log_metrics(
        self, run_id: str, metrics: Sequence[Metric], owner: str | None
    ) -> bool | None:
        """Store validated ``metrics`` if the run takes results from ``owner`` (None: an
        admin), the rule checked by the store itself in the write: True if stored, False
        if refused (the caller then finds out why), None if this store has no such fast
        path (the caller checks, then calls ``log_batch``)."""
        return None

    @abc.abstractmethod
    def log_spooled_metrics(
        self, run_id: str, writer_id: str, first_seq: int, metrics: Sequence[Metric]
    ) -> int:
        """Store the points a spooling writer numbered ``first_seq``, ``first_seq + 1``, ...
        that are not stored yet (the run must not be deleted; finished is fine), and return
        the writer's mark: the last of its numbers for this run that is stored."""

    @abc.abstractmethod
    def mark_dead_runs(self, cutoff: int, end_tag: tuple[str, str]) -> int:
        """Every RUNNING run whose last heartbeat is older than ``cutoff`` (ms) becomes
        KILLED, ending at its last heartbeat, tagged ``end_tag``; in one transaction.
        Runs that never sent a heartbeat are left alone. Returns how many were marked."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
