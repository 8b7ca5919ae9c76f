"""The tracking service: THE single place where tracking rules live.

Every way into tracking data goes through :class:`TrackingService`: the server's REST
handlers, the MLflow-compatible handlers and the client's direct (in-process) transport.
For each call it, in this order,

1. validates the input's shape (:mod:`jupyter_mlops.tracking.validation`), raising
   ``InvalidParameter`` that names the field;
2. checks the caller's permission (the model below), raising ``PermissionDenied``;
3. checks the target's state (deleted, finished), raising ``InvalidState``;
4. calls the store, which enforces integrity (ids exist, names unique, params immutable).

Permission model (MLflow's default READ for everyone, ownership for writes):

* every caller may read every experiment, run, metric and artifact;
* anyone may create runs in an active experiment;
* only a run's user, or an admin, may write to a run (log, tag, rename, change status,
  record inputs, upload artifacts), delete it or restore it;
* only an experiment's owner, or an admin, may rename, re-describe, tag, delete or restore
  it. The Default experiment (id ``"0"``) has no owner (``""``), so only admins change it,
  and nobody may delete it: runs created without an experiment land there.

Handlers stay thin: they parse a request, call one method here, and serialise the result.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from ..errors import InvalidParameter, InvalidState, NotFound, PermissionDenied
from . import validation as v
from .artifacts import LocalArtifactRepository, split_artifact_path
from .entities import (
    DatasetInput,
    DatasetSummary,
    Experiment,
    FileInfo,
    LifecycleStage,
    LoggedModelRef,
    Metric,
    MetricBucket,
    Page,
    Run,
    RunInfo,
    RunMetricHistory,
    RunOutputs,
    RunStatus,
    ViewType,
)
from .external_stores import inside_external_store, outside_stores_error
from .logged_model_catalog import LoggedModelCatalog, NoLoggedModels
from .store.base import DEFAULT_EXPERIMENT_ID, TrackingStore

#: MLflow's SearchDatasets limits: experiments per request and summaries per answer.
MAX_DATASET_SEARCH_EXPERIMENTS = 20
MAX_DATASET_SUMMARIES = 1000


#: The tag that says why a run ended, and its value for a run whose heartbeats stopped.
END_REASON_TAG = "mlops.end_reason"
HEARTBEAT_LOST = "heartbeat lost"
#: Seconds without a heartbeat after which a run is dead (``Tracking.heartbeat_timeout``).
DEFAULT_HEARTBEAT_TIMEOUT_S = 60.0


def now_ms() -> int:
    return int(time.time() * 1000)


# A spooling writer's id (client/spool.py): a uuid4 in hex.
_WRITER_ID = re.compile(r"[0-9a-f]{32}")

#: Runs per ``get_metric_histories`` request (as MLflow's get-history-bulk-interval).
MAX_HISTORIES_PER_REQUEST = 100


class TrackingService:
    """Tracking operations on behalf of a named user; see the module docstring for the rules.

    Every method takes the calling user's name first. Methods are synchronous and
    thread-safe (the store and the artifact repository are); async callers run them in
    an executor.
    """

    def __init__(
        self,
        store: TrackingStore,
        artifacts: LocalArtifactRepository,
        admin_users: Collection[str] = (),
        logged_models: LoggedModelCatalog | None = None,
        external_artifact_stores: Collection[str] = (),
    ) -> None:
        self.store = store
        # Normalised object-store prefixes (external_stores.py) clients may name as
        # artifact locations and model sources; the server never opens them.
        self.external_artifact_stores = tuple(external_artifact_stores)
        self.artifacts = artifacts
        self.admin_users = frozenset(admin_users)
        self._logged_models: LoggedModelCatalog = logged_models or NoLoggedModels()

    def use_logged_models(self, catalog: LoggedModelCatalog) -> None:
        """Answer questions about logged models (which exist, which runs made them) from
        ``catalog``: the logged-models service, which owns them, hands itself over when the
        services are wired."""
        self._logged_models = catalog

    def _with_models(self, runs: list[Run]) -> list[Run]:
        """The runs with their model inputs named and their outputs (the models they
        produced): two batched questions to the logged models' catalog per page."""
        if not runs:
            return runs
        used = [m.model_id for run in runs for m in run.inputs.models]
        names = self._logged_models.names_of(used) if used else {}
        produced = self._logged_models.produced_by([run.info.run_id for run in runs])
        if not used and not produced:
            return runs
        return [
            replace(
                run,
                inputs=replace(
                    run.inputs,
                    models=tuple(
                        LoggedModelRef(m.model_id, names.get(m.model_id)) for m in run.inputs.models
                    ),
                ),
                outputs=RunOutputs(tuple(produced.get(run.info.run_id, ()))),
            )
            if run.inputs.models or run.info.run_id in produced
            else run
            for run in runs
        ]

    def _run(self, run_id: str) -> Run:
        return self._with_models([self.store.get_run(run_id)])[0]

    # -- permissions ---------------------------------------------------------------------
    def is_admin(self, user: str) -> bool:
        return user in self.admin_users

    def _require_experiment_owner(self, user: str, experiment: Experiment, action: str) -> None:
        if self.is_admin(user):
            return
        # owner "" (the Default experiment) never matches a real user: admins only.
        if experiment.owner and experiment.owner == user:
            return
        whose = f"owned by {experiment.owner!r}" if experiment.owner else "shared"
        raise PermissionDenied(
            f"{user!r} may not {action} experiment {experiment.experiment_id!r} ({whose}); "
            "only its owner or an admin may"
        )

    def _require_run_owner(self, user: str, info: RunInfo, action: str) -> None:
        if info.user == user or self.is_admin(user):
            return
        raise PermissionDenied(
            f"{user!r} may not {action} run {info.run_id!r} of {info.user!r}; "
            "only the run's user or an admin may"
        )

    def _run_info(self, user: str, run_id: str, action: str) -> RunInfo:
        """The run's attributes, if ``user`` may change the run (owner or admin).

        Only the run row is read (``get_run_info``): permission and state checks need
        neither params, tags nor metrics, and this runs before every write.
        """
        info = self.store.get_run_info(run_id)
        self._require_run_owner(user, info, action)
        return info

    def _writable_run(
        self, user: str, run_id: str, action: str, annotation: bool = False
    ) -> RunInfo:
        """The run's attributes, if ``user`` may write to it now: owner, not deleted, and
        not finished, unless the write only annotates it (tags, notes): results of a run
        are fixed once it ends, but people label and describe runs long after."""
        info = self._run_info(user, run_id, action)
        if info.lifecycle_stage is LifecycleStage.DELETED:
            raise InvalidState(f"Run {run_id!r} is deleted; restore it first")
        if info.status.is_terminal and not annotation:
            raise InvalidState(
                f"Run {run_id!r} is {info.status.value}; resume it first "
                "(update its status to RUNNING)"
            )
        return info

    # -- experiments ---------------------------------------------------------------------
    def create_experiment(
        self,
        user: str,
        name: str,
        description: str = "",
        tags: Mapping[str, str] | None = None,
        artifact_location: str | None = None,
    ) -> Experiment:
        """A new experiment of ``user``. Its artifacts live in the artifact root, unless
        ``artifact_location`` names a place inside one of the object stores an admin allowed
        (``c.Tracking.external_artifact_stores``): its runs' files then go there, written
        and read by the client itself."""
        name = v.validate_experiment_name(name)
        description = v.validate_description(description)
        checked_tags = v.validate_tags(tags)
        if artifact_location is not None:
            artifact_location = self._external_location(artifact_location, "artifact_location")
        return self.store.create_experiment(
            name,
            owner=user,
            description=description,
            tags=checked_tags,
            artifact_location=artifact_location,
        )

    def _external_location(self, uri: str, field: str) -> str:
        """``uri`` without a trailing ``/`` if it lies inside an allowed external store;
        the 400 that names the allowed stores otherwise."""
        v.validate_artifact_location(uri, field)
        stores = self.external_artifact_stores
        if not inside_external_store(uri, stores):
            raise outside_stores_error(field, uri, stores)
        return uri.rstrip("/")

    def get_experiment(self, user: str, experiment_id: str) -> Experiment:
        return self.store.get_experiment(v.validate_experiment_id(experiment_id))

    def get_experiment_by_name(self, user: str, name: str) -> Experiment:
        return self.store.get_experiment_by_name(v.validate_experiment_name(name))

    def search_experiments(
        self,
        user: str,
        view: ViewType | str = ViewType.ACTIVE_ONLY,
        name_like: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
        name: str | None = None,
    ) -> Page[Experiment]:
        """A page of experiments, newest first; with ``name``, the experiment of exactly
        that name whatever its stage, or none (how clients look one up by name)."""
        if name is not None:
            try:
                return Page([self.get_experiment_by_name(user, name)], None)
            except NotFound:
                return Page([], None)
        checked_view = v.validate_view(view)
        if name_like == "":
            name_like = None
        if name_like is not None:
            v.validate_experiment_name(name_like, "name_like")
        return self.store.search_experiments(
            view=checked_view,
            name_like=name_like,
            max_results=v.validate_max_results(max_results),
            page_token=v.validate_page_token(page_token),
        )

    def update_experiment(
        self,
        user: str,
        experiment_id: str,
        name: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Experiment:
        """Rename, re-describe and/or upsert tags (keys not given are kept)."""
        experiment_id = v.validate_experiment_id(experiment_id)
        if name is not None:
            name = v.validate_experiment_name(name)
        if description is not None:
            description = v.validate_description(description)
        checked_tags = v.validate_tags(tags)
        experiment = self._changeable_experiment(user, experiment_id, "change")
        if name is not None or description is not None:
            self.store.update_experiment(experiment_id, name=name, description=description)
        if checked_tags:
            self.store.set_experiment_tags(experiment_id, checked_tags)
        if name is None and description is None and not checked_tags:
            return experiment
        return self.store.get_experiment(experiment_id)

    def _changeable_experiment(self, user: str, experiment_id: str, action: str) -> Experiment:
        experiment = self.store.get_experiment(experiment_id)
        self._require_experiment_owner(user, experiment, action)
        if experiment.lifecycle_stage is LifecycleStage.DELETED:
            raise InvalidState(f"Experiment {experiment_id!r} is deleted; restore it first")
        return experiment

    def delete_experiment_tag(self, user: str, experiment_id: str, key: str) -> None:
        experiment_id = v.validate_experiment_id(experiment_id)
        key = v.validate_key(key)
        self._changeable_experiment(user, experiment_id, "change")
        self.store.delete_experiment_tag(experiment_id, key)

    def delete_experiment(self, user: str, experiment_id: str) -> None:
        """Soft delete, with its runs. Deleting a deleted experiment is a no-op."""
        experiment_id = v.validate_experiment_id(experiment_id)
        experiment = self.store.get_experiment(experiment_id)
        self._require_experiment_owner(user, experiment, "delete")
        if experiment_id == DEFAULT_EXPERIMENT_ID:
            raise InvalidState("The Default experiment cannot be deleted")
        if experiment.lifecycle_stage is LifecycleStage.DELETED:
            return
        self.store.delete_experiment(experiment_id)

    def restore_experiment(self, user: str, experiment_id: str) -> Experiment:
        experiment_id = v.validate_experiment_id(experiment_id)
        experiment = self.store.get_experiment(experiment_id)
        self._require_experiment_owner(user, experiment, "restore")
        if experiment.lifecycle_stage is LifecycleStage.ACTIVE:
            return experiment
        self.store.restore_experiment(experiment_id)
        return self.store.get_experiment(experiment_id)

    # -- runs ----------------------------------------------------------------------------
    def create_run(
        self,
        user: str,
        experiment_id: str = DEFAULT_EXPERIMENT_ID,
        run_name: str | None = None,
        start_time: int | None = None,
        tags: Mapping[str, str] | None = None,
        parent_run_id: str | None = None,
        run_user: str | None = None,
    ) -> Run:
        """A new run in an active experiment (anyone may create one). Its user is the
        caller, or ``run_user``: the MLflow API records the user its client names where the
        caller may act for that user (an admin, the single user); it decides that."""
        experiment_id = v.validate_experiment_id(experiment_id)
        if run_user is not None:
            run_user = v.validate_user_name(run_user, "user_id")
        if run_name is not None:
            run_name = v.validate_run_name(run_name)
        start_time = v.validate_optional_timestamp(start_time, "start_time")
        checked_tags = v.validate_tags(tags)
        if parent_run_id is not None:
            parent_run_id = v.validate_run_id(parent_run_id, "parent_run_id")
        return self.store.create_run(
            experiment_id,
            run_user or user,
            run_name=run_name,
            start_time=start_time if start_time is not None else now_ms(),
            tags=checked_tags,
            parent_run_id=parent_run_id,
        )

    def get_run(self, user: str, run_id: str) -> Run:
        return self._run(v.validate_run_id(run_id))

    def get_run_info(self, user: str, run_id: str) -> RunInfo:
        """The run's attributes only (no params, tags, metrics or inputs): what other
        domains need to check a run they point at."""
        return self.store.get_run_info(v.validate_run_id(run_id))

    def update_run(
        self,
        user: str,
        run_id: str,
        status: RunStatus | str | None = None,
        end_time: int | None = None,
        run_name: str | None = None,
    ) -> Run:
        """Change status (RUNNING resumes a finished run), end time and/or name."""
        run_id = v.validate_run_id(run_id)
        checked_status = None if status is None else v.validate_run_status(status)
        end_time = v.validate_optional_timestamp(end_time, "end_time")
        if run_name is not None:
            run_name = v.validate_run_name(run_name)
        info = self._run_info(user, run_id, "update")
        if info.lifecycle_stage is LifecycleStage.DELETED:
            raise InvalidState(f"Run {run_id!r} is deleted; restore it first")
        if end_time is not None and end_time < info.start_time:
            raise InvalidParameter(
                "end_time must not be before the run's start_time", field="end_time"
            )
        self.store.update_run(run_id, status=checked_status, end_time=end_time, run_name=run_name)
        return self._run(run_id)

    def delete_run(self, user: str, run_id: str) -> None:
        """Soft delete. Deleting a deleted run is a no-op."""
        run_id = v.validate_run_id(run_id)
        info = self._run_info(user, run_id, "delete")
        if info.lifecycle_stage is LifecycleStage.ACTIVE:
            self.store.set_run_lifecycle(run_id, LifecycleStage.DELETED)

    def restore_run(self, user: str, run_id: str) -> Run:
        run_id = v.validate_run_id(run_id)
        # The whole run, not only its info: restoring an active run returns it as it is.
        run = self._run(run_id)
        self._require_run_owner(user, run.info, "restore")
        if run.info.lifecycle_stage is LifecycleStage.ACTIVE:
            return run
        self.store.set_run_lifecycle(run_id, LifecycleStage.ACTIVE)
        return self._run(run_id)

    def log_batch(
        self,
        user: str,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Log metrics, params and tags atomically. A metric whose timestamp is None gets
        the current time. (Duplicate param keys cannot occur in a mapping; the REST layer
        refuses a JSON object that repeats a key with another value.)"""
        run_id = v.validate_run_id(run_id)
        # One clock reading for the whole batch: its unstamped points share one time.
        checked_metrics = v.validate_metrics(metrics, default_timestamp=now_ms())
        checked_params = v.validate_params(params)
        checked_tags = v.validate_tags(tags)
        results = bool(checked_metrics or checked_params)
        if checked_metrics and not checked_params and not checked_tags:
            # The hot path (every synchronous log_metric): where the store can apply the
            # rule below inside its write, one round trip does both.
            owner = None if self.is_admin(user) else user
            if self.store.try_log_metrics(run_id, checked_metrics, owner):
                return
        self._writable_run(user, run_id, "log to", annotation=not results)
        if checked_metrics or checked_params or checked_tags:
            self.store.log_batch(
                run_id, metrics=checked_metrics, params=checked_params, tags=checked_tags
            )

    def log_spooled_metrics(
        self,
        user: str,
        run_id: str,
        writer_id: str,
        first_seq: int,
        metrics: Sequence[Metric],
    ) -> int:
        """Store metric points a spooling client numbered ``first_seq``, ``first_seq + 1``,
        ... (client/spool.py), skipping those already stored: sent again after a lost
        answer or replayed from a dead process's spool, each point is stored once. Returns
        the writer's mark (the last number stored). Unlike ``log_batch`` a finished run
        takes them: they were acknowledged to the user while it ran (run's user or admin)."""
        run_id = v.validate_run_id(run_id)
        if not isinstance(writer_id, str) or not _WRITER_ID.fullmatch(writer_id):
            raise InvalidParameter(
                "writer_id must be 32 lowercase hexadecimal characters", field="writer_id"
            )
        if type(first_seq) is not int or not 0 <= first_seq < 2**62:
            raise InvalidParameter(
                "first_seq must be an integer from 0 to 2**62", field="first_seq"
            )
        checked = v.validate_metrics(metrics, default_timestamp=now_ms())
        self._writable_run(user, run_id, "log to", annotation=True)
        return self.store.log_spooled_metrics(run_id, writer_id, first_seq, checked)

    def delete_run_tag(self, user: str, run_id: str, key: str) -> None:
        run_id = v.validate_run_id(run_id)
        key = v.validate_key(key)
        self._writable_run(user, run_id, "untag", annotation=True)
        self.store.delete_run_tag(run_id, key)

    # -- heartbeats ----------------------------------------------------------------------
    def heartbeat(self, user: str, run_id: str) -> None:
        """The run's process is alive (run's user or admin). A run that the dead-run sweep
        marked KILLED for lost heartbeats becomes RUNNING again (a laptop woke up)."""
        run_id = v.validate_run_id(run_id)
        info = self._run_info(user, run_id, "heartbeat")
        if info.lifecycle_stage is LifecycleStage.DELETED:
            raise InvalidState(f"Run {run_id!r} is deleted; restore it first")
        self.store.record_heartbeat(run_id, now_ms(), (END_REASON_TAG, HEARTBEAT_LOST))

    def mark_dead_runs(self, timeout_s: float) -> int:
        """Mark KILLED (tag ``mlops.end_reason`` = "heartbeat lost", ending at the last
        heartbeat) every RUNNING run whose heartbeats stopped more than ``timeout_s``
        seconds ago. Runs that never sent one (MLflow clients) are never marked. Returns
        how many runs were marked. Run by the server's sweep and by clients opening a store."""
        cutoff = now_ms() - int(timeout_s * 1000)
        return self.store.mark_dead_runs(cutoff, (END_REASON_TAG, HEARTBEAT_LOST))

    # -- inputs --------------------------------------------------------------------------
    def log_inputs(
        self,
        user: str,
        run_id: str,
        datasets: Sequence[DatasetInput] = (),
        model_ids: Sequence[str] = (),
    ) -> None:
        """Record the datasets (``mlflow.data.context`` tag: training, eval...) and logged
        models the run used.

        Like tags, inputs describe a run rather than add results to it, so a finished run
        takes them (MLflow's server does too: ``mlflow.evaluate`` and autologging may log
        datasets as a run ends); a deleted run does not. Only the run's user or an admin.
        A dataset already in the run's experiment with the same (name, digest) is reused,
        and an input the run already has is kept as it was.
        """
        run_id = v.validate_run_id(run_id)
        checked_datasets = v.validate_dataset_inputs(datasets)
        checked_models = v.validate_logged_model_ids(model_ids)
        self._writable_run(user, run_id, "log inputs to", annotation=True)
        if checked_models:
            self._check_logged_models(checked_models)
        if checked_datasets or checked_models:
            self.store.log_inputs(run_id, checked_datasets, checked_models)

    def _check_logged_models(self, model_ids: Sequence[str]) -> None:
        """NotFound naming ``models[i].model_id`` for the first id no logged model has."""
        known = self._logged_models.names_of(model_ids)
        for i, model_id in enumerate(model_ids):
            if model_id not in known:
                raise NotFound(
                    f"No logged model with id {model_id!r}", field=f"models[{i}].model_id"
                )

    def search_datasets(self, user: str, experiment_ids: Sequence[str]) -> list[DatasetSummary]:
        """The (dataset, context) pairs runs of 1 to 20 experiments used, at most 1,000
        (MLflow's SearchDatasets)."""
        checked = v.validate_experiment_ids(experiment_ids)
        if not 1 <= len(checked) <= MAX_DATASET_SEARCH_EXPERIMENTS:
            raise InvalidParameter(
                f"experiment_ids must name 1 to {MAX_DATASET_SEARCH_EXPERIMENTS} experiments",
                field="experiment_ids",
            )
        return self.store.search_datasets(checked, max_results=MAX_DATASET_SUMMARIES)

    def get_metric_history(
        self, user: str, run_id: str, key: str, max_points: int | None = None
    ) -> list[Metric] | list[MetricBucket]:
        """Every point, or (when ``max_points`` is given and the history is longer) at most
        ``max_points`` buckets that keep each stretch's min and max, so spikes stay visible."""
        run_id = v.validate_run_id(run_id)
        key = v.validate_key(key)
        if max_points is None:
            return self.store.get_metric_history(run_id, key)
        max_points = v.validate_max_points(max_points)
        buckets = self.store.get_metric_history_downsampled(run_id, key, max_points)
        if any(b.count > 1 for b in buckets):
            return buckets
        # Short enough: one point per bucket is the history itself.
        return [Metric(key=key, value=b.value, timestamp=b.timestamp, step=b.step) for b in buckets]

    def get_metric_histories(
        self, user: str, run_ids: Sequence[str], key: str, max_points: int | None = None
    ) -> list[RunMetricHistory]:
        """One metric's history in each of up to 100 runs, as ``get_metric_history`` gives
        each (a run without the key: no points), in the order asked: a compare chart's
        data in one request instead of one per run."""
        if isinstance(run_ids, str) or not 1 <= len(run_ids) <= MAX_HISTORIES_PER_REQUEST:
            raise InvalidParameter(
                f"run_ids must name 1 to {MAX_HISTORIES_PER_REQUEST} runs", field="run_ids"
            )
        checked = [v.validate_run_id(r, f"run_ids[{i}]") for i, r in enumerate(run_ids)]
        return [
            RunMetricHistory(run_id, key, self.get_metric_history(user, run_id, key, max_points))
            for run_id in checked
        ]

    def search_runs(
        self,
        user: str,
        experiment_ids: Sequence[str] = (),
        filter_string: str | None = None,
        view: ViewType | str = ViewType.ACTIVE_ONLY,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[Run]:
        page = self.store.search_runs(
            v.validate_experiment_ids(experiment_ids),
            filter_string=v.validate_filter(filter_string),
            view=v.validate_view(view),
            max_results=v.validate_max_results(max_results),
            order_by=v.validate_order_by(order_by),
            page_token=v.validate_page_token(page_token),
        )
        return Page(self._with_models(list(page.items)), page.next_page_token)

    def count_runs(
        self,
        user: str,
        experiment_ids: Sequence[str] = (),
        filter_string: str | None = None,
        view: ViewType | str = ViewType.ACTIVE_ONLY,
    ) -> int:
        return self.store.count_runs(
            v.validate_experiment_ids(experiment_ids),
            filter_string=v.validate_filter(filter_string),
            view=v.validate_view(view),
        )

    # -- artifacts -----------------------------------------------------------------------
    def list_artifacts(self, user: str, run_id: str, path: str = "") -> list[FileInfo]:
        split_artifact_path(path)
        info = self.store.get_run_info(v.validate_run_id(run_id))
        return self.artifacts.list(info.artifact_uri, path)

    def artifact_file(self, user: str, run_id: str, path: str) -> Path:
        """An existing regular file inside the run's artifact folder; NotFound otherwise."""
        split_artifact_path(path)
        info = self.store.get_run_info(v.validate_run_id(run_id))
        return self.artifacts.resolve_for_read(info.artifact_uri, path)

    def check_artifact_write(self, user: str, run_id: str, path: str) -> RunInfo:
        """Raise what write_artifact would raise before any byte is read, so that an upload
        that is bound to fail is refused before its body is received. Returns the run's
        attributes."""
        if not split_artifact_path(path):
            raise InvalidParameter("path must name a file", field="path")
        return self._writable_run(user, v.validate_run_id(run_id), "upload artifacts to")

    def write_artifact(
        self, user: str, run_id: str, path: str, source: bytes | BinaryIO
    ) -> FileInfo:
        info = self.check_artifact_write(user, run_id, path)
        return self.artifacts.write(info.artifact_uri, path, source)

    def delete_artifact(self, user: str, run_id: str, path: str) -> None:
        """Delete the file or folder at ``path`` in the run's artifact folder: the run's
        user or an admin, on a run that takes artifacts (as for uploads)."""
        info = self.check_artifact_write(user, run_id, path)
        self.artifacts.delete(info.artifact_uri, path)
