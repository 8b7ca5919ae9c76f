"""Direct store access: the client calls the tracking service in this process.

Used for SQLAlchemy URIs (``sqlite:///...``, ``postgresql+psycopg://...``). Whoever can
open the database can change anything in it, so the caller is the machine's own user
and an admin; the service still validates every input, exactly as over REST.
"""

from __future__ import annotations

import getpass
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

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
from ..tracking.service import TrackingService
from ..tracking.store.base import TrackingStore
from .registry import StoreRegistryMethods


class StoreTransport(StoreRegistryMethods):
    """A ``TrackingTransport`` over a ``TrackingService`` acting as ``user``."""

    def __init__(
        self, service: TrackingService, user: str, *, owned_store: TrackingStore | None = None
    ) -> None:
        self._service = service
        self._user = user
        # The store this transport opened itself (from_uri), closed with it.
        self._owned_store = owned_store

    @classmethod
    def from_uri(cls, store_uri: str, artifact_root: Path) -> StoreTransport:
        """Open the store at ``store_uri`` (migrating it if needed) as the local user."""
        # Imported here: the SQL stack is only needed when a client opens a store.
        from ..tracking.artifacts import LocalArtifactRepository
        from ..tracking.store.sql_store import SqlTrackingStore

        user = getpass.getuser()
        store = SqlTrackingStore(store_uri)
        service = TrackingService(
            store, LocalArtifactRepository(Path(artifact_root)), admin_users=(user,)
        )
        return cls(service, user, owned_store=store)

    @property
    def user(self) -> str:
        return self._user

    # -- experiments -------------------------------------------------------------------
    def create_experiment(
        self, name: str, description: str = "", tags: Mapping[str, str] | None = None
    ) -> Experiment:
        return self._service.create_experiment(self._user, name, description, tags)

    def get_experiment(self, experiment_id: str) -> Experiment:
        return self._service.get_experiment(self._user, experiment_id)

    def get_experiment_by_name(self, name: str) -> Experiment:
        return self._service.get_experiment_by_name(self._user, name)

    def search_experiments(
        self,
        view: ViewType = ViewType.ACTIVE_ONLY,
        name_like: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> Page[Experiment]:
        return self._service.search_experiments(
            self._user,
            view=view,
            name_like=name_like,
            max_results=max_results,
            page_token=page_token,
        )

    def update_experiment(
        self,
        experiment_id: str,
        name: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Experiment:
        return self._service.update_experiment(
            self._user, experiment_id, name=name, description=description, tags=tags
        )

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        self._service.delete_experiment_tag(self._user, experiment_id, key)

    def delete_experiment(self, experiment_id: str) -> None:
        self._service.delete_experiment(self._user, experiment_id)

    def restore_experiment(self, experiment_id: str) -> Experiment:
        return self._service.restore_experiment(self._user, experiment_id)

    # -- runs ----------------------------------------------------------------------------
    def create_run(
        self,
        experiment_id: str = "0",
        run_name: str | None = None,
        start_time: int | None = None,
        tags: Mapping[str, str] | None = None,
        parent_run_id: str | None = None,
    ) -> Run:
        return self._service.create_run(
            self._user,
            experiment_id=experiment_id,
            run_name=run_name,
            start_time=start_time,
            tags=tags,
            parent_run_id=parent_run_id,
        )

    def get_run(self, run_id: str) -> Run:
        return self._service.get_run(self._user, run_id)

    def update_run(
        self,
        run_id: str,
        status: RunStatus | None = None,
        end_time: int | None = None,
        run_name: str | None = None,
    ) -> Run:
        return self._service.update_run(
            self._user, run_id, status=status, end_time=end_time, run_name=run_name
        )

    def delete_run(self, run_id: str) -> None:
        self._service.delete_run(self._user, run_id)

    def restore_run(self, run_id: str) -> Run:
        return self._service.restore_run(self._user, run_id)

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        self._service.log_batch(self._user, run_id, metrics=metrics, params=params, tags=tags)

    def delete_run_tag(self, run_id: str, key: str) -> None:
        self._service.delete_run_tag(self._user, run_id, key)

    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] = (),
        model_ids: Sequence[str] = (),
    ) -> None:
        self._service.log_inputs(self._user, run_id, datasets=datasets, model_ids=model_ids)

    def get_metric_history(
        self, run_id: str, key: str, max_points: int | None = None
    ) -> list[Metric] | list[MetricBucket]:
        return self._service.get_metric_history(self._user, run_id, key, max_points=max_points)

    # -- search --------------------------------------------------------------------------
    def search_runs(
        self,
        experiment_ids: Sequence[str] = (),
        filter_string: str | None = None,
        view: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[Run]:
        return self._service.search_runs(
            self._user,
            experiment_ids=experiment_ids,
            filter_string=filter_string,
            view=view,
            max_results=max_results,
            order_by=order_by,
            page_token=page_token,
        )

    def count_runs(
        self,
        experiment_ids: Sequence[str] = (),
        filter_string: str | None = None,
        view: ViewType = ViewType.ACTIVE_ONLY,
    ) -> int:
        return self._service.count_runs(
            self._user, experiment_ids=experiment_ids, filter_string=filter_string, view=view
        )

    # -- artifacts -----------------------------------------------------------------------
    def list_artifacts(self, run_id: str, path: str = "") -> list[FileInfo]:
        return self._service.list_artifacts(self._user, run_id, path)

    def upload_artifact(self, run_id: str, path: str, local_file: Path) -> FileInfo:
        with open(local_file, "rb") as source:
            return self._service.write_artifact(self._user, run_id, path, source)

    def download_artifact(self, run_id: str, path: str, local_file: Path) -> None:
        shutil.copyfile(self._service.artifact_file(self._user, run_id, path), local_file)

    def close(self) -> None:
        if self._owned_store is not None:
            self._owned_store.close()
