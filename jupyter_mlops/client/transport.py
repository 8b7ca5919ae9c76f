"""The one interface both client transports implement.

It mirrors ``TrackingService`` without the ``user`` argument: the direct store transport
binds the local user, the REST transport is identified by its token. Artifact transfer
works on local files so that the REST transport can stream instead of buffering.
Every method raises the same ``MLOpsError`` subclasses whichever transport is used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from ..tracking.entities import (
    DatasetInput,
    Experiment,
    FileInfo,
    Metric,
    MetricBucket,
    Page,
    Run,
    RunStatus,
    ViewType,
)
from .registry import RegistryTransport


class TrackingTransport(RegistryTransport, Protocol):
    """Carries tracking calls to a store in this process or to a jupyter-mlops server."""

    # -- experiments -------------------------------------------------------------------
    def create_experiment(
        self, name: str, description: str = "", tags: Mapping[str, str] | None = None
    ) -> Experiment: ...

    def get_experiment(self, experiment_id: str) -> Experiment: ...

    def get_experiment_by_name(self, name: str) -> Experiment: ...

    def search_experiments(
        self,
        view: ViewType = ViewType.ACTIVE_ONLY,
        name_like: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> Page[Experiment]: ...

    def update_experiment(
        self,
        experiment_id: str,
        name: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Experiment: ...

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None: ...

    def delete_experiment(self, experiment_id: str) -> None: ...

    def restore_experiment(self, experiment_id: str) -> Experiment: ...

    # -- runs ----------------------------------------------------------------------------
    def create_run(
        self,
        experiment_id: str = "0",
        run_name: str | None = None,
        start_time: int | None = None,
        tags: Mapping[str, str] | None = None,
        parent_run_id: str | None = None,
    ) -> Run: ...

    def get_run(self, run_id: str) -> Run: ...

    def update_run(
        self,
        run_id: str,
        status: RunStatus | None = None,
        end_time: int | None = None,
        run_name: str | None = None,
    ) -> Run: ...

    def delete_run(self, run_id: str) -> None: ...

    def restore_run(self, run_id: str) -> Run: ...

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """One call within the server's batch limits (callers chunk)."""

    def log_spooled_metrics(
        self, run_id: str, writer_id: str, first_seq: int, metrics: Sequence[Metric]
    ) -> int:
        """Points numbered ``first_seq``... by a spooling writer, each stored once; returns
        the writer's mark (client/spool.py)."""

    def delete_run_tag(self, run_id: str, key: str) -> None: ...

    def heartbeat(self, run_id: str) -> None:
        """Say that the run's process is alive (revives a run killed for silence)."""

    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] = (),
        model_ids: Sequence[str] = (),
    ) -> None:
        """Record datasets and logged models the run used (at most 1,000 of each)."""

    def get_metric_history(
        self, run_id: str, key: str, max_points: int | None = None
    ) -> list[Metric] | list[MetricBucket]: ...

    # -- search --------------------------------------------------------------------------
    def search_runs(
        self,
        experiment_ids: Sequence[str] = (),
        filter_string: str | None = None,
        view: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[Run]: ...

    def count_runs(
        self,
        experiment_ids: Sequence[str] = (),
        filter_string: str | None = None,
        view: ViewType = ViewType.ACTIVE_ONLY,
    ) -> int: ...

    # -- artifacts -----------------------------------------------------------------------
    def list_artifacts(self, run_id: str, path: str = "") -> list[FileInfo]: ...

    def upload_artifact(self, run_id: str, path: str, local_file: Path) -> FileInfo:
        """Store ``local_file`` as the run's artifact at ``path`` ("/"-separated)."""

    def download_artifact(self, run_id: str, path: str, local_file: Path) -> None:
        """Write the run's artifact file at ``path`` to ``local_file``."""

    def close(self) -> None:
        """Release connections."""
