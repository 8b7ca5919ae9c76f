"""The logged models' service: THE place where the rules of MLflow 3 logged models live.

Every caller may read every logged model and its files; any caller may create one in an
active experiment (and becomes its creator); only its creator, or an admin, may finalize,
tag or delete it, log params and metrics to it, or write files into its folder.

Logged models are the registry's owned sub-domain, built with it
(``RegistryService.logged_models``): every caller (the REST operations declaring
``call: logged_models.<method>``, the MLflow-compatible layer, the client's in-process
view) calls this service for them; the registry asks it only for what its own rules need
(:meth:`LoggedModelService.lookup`). Tracking asks it too (as its
:class:`~...tracking.logged_model_catalog.LoggedModelCatalog`) which models exist and which
runs produced them, instead of reading these tables.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from ...errors import InvalidParameter, InvalidState, NotFound, PermissionDenied
from ...tracking import validation as tv
from ...tracking.artifacts import LocalArtifactRepository, split_artifact_path
from ...tracking.entities import FileInfo, LifecycleStage, LoggedModelRef, Page, RunInfo
from ...tracking.service import TrackingService, now_ms
from .. import validation as v
from .entities import LoggedModel, LoggedModelMetric
from .models import DATASET_DIGEST_LENGTH as DIGEST_LENGTH
from .models import DATASET_NAME_LENGTH as NAME_LENGTH
from .names import name_candidates
from .store import SqlLoggedModelStore


def validate_metric_dataset(
    name: object, digest: object, field: str = ""
) -> tuple[str | None, str | None]:
    """The dataset a logged model's metric was measured on: its name and digest (each at
    most MLflow's column's length; empty means none, as in MLflow's protobuf). Errors name
    ``<field>dataset_name`` / ``<field>dataset_digest``."""
    return (
        v.validate_optional_text(name, f"{field}dataset_name", NAME_LENGTH) or None,
        v.validate_optional_text(digest, f"{field}dataset_digest", DIGEST_LENGTH) or None,
    )


def run_info(tracking: TrackingService, user: str, run_id: str, field: str) -> RunInfo:
    """The attributes of a run another entity points at; NotFound naming ``field``."""
    try:
        return tracking.get_run_info(user, run_id)
    except NotFound:
        raise NotFound(f"No run with id {run_id!r} (from {field})", field=field) from None


class LoggedModelService:
    """Logged-model operations on behalf of a named user; see the module docstring.

    Methods are synchronous and thread-safe; async callers run them in an executor.
    """

    def __init__(
        self,
        store: SqlLoggedModelStore,
        tracking: TrackingService,
        artifacts: LocalArtifactRepository | None = None,
    ) -> None:
        self.store = store
        self.tracking = tracking
        self.artifacts = artifacts if artifacts is not None else tracking.artifacts

    # -- what tracking asks (LoggedModelCatalog) ---------------------------------------
    def names_of(self, model_ids: Sequence[str]) -> dict[str, str]:
        return self.store.names_of(model_ids)

    def produced_by(self, run_ids: Sequence[str]) -> dict[str, list[LoggedModelRef]]:
        return self.store.produced_by(run_ids)

    # -- what the registry asks --------------------------------------------------------
    def lookup(self, model_id: str, field: str, include_deleted: bool = False) -> LoggedModel:
        """The logged model another entity names in ``field``; NotFound naming it."""
        try:
            return self.store.get_logged_model(model_id, include_deleted=include_deleted)
        except NotFound:
            raise NotFound(f"Logged model with ID '{model_id}' not found.", field=field) from None

    def _owned_logged_model(self, user: str, model_id: str, action: str) -> LoggedModel:
        model = self.store.get_logged_model(v.validate_logged_model_reference(model_id))
        if self.tracking.is_admin(user) or (model.creator_id and model.creator_id == user):
            return model
        raise PermissionDenied(
            f"{user!r} may not {action} logged model {model_id!r} (created by "
            f"{model.creator_id!r}); only its creator or an admin may"
        )

    # -- logged models -------------------------------------------------------------------
    def create_logged_model(
        self,
        user: str,
        experiment_id: str,
        name: str | None = None,
        source_run_id: str | None = None,
        tags: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        model_type: str | None = None,
    ) -> LoggedModel:
        """A PENDING logged model in an active experiment; its files go to
        ``<experiment>/models/<model_id>/artifacts``; finalize it once they are there.

        Without a ``name`` (None or empty) the model gets a generated one
        (``<adjective>-<noun>-<number>``, as MLflow names it) that no live model of the
        experiment has. ``source_run_id`` is a reference, as in MLflow: any id MLflow
        accepts, a run of ours or not.
        """
        experiment_id = tv.validate_experiment_id(experiment_id)
        if name is not None and name != "":
            name = tv._require_text(name, "name", 500, allow_control=False)
            if not name.strip():
                raise InvalidParameter("name must not be empty", field="name")
        if source_run_id == "":
            source_run_id = None
        if source_run_id is not None:
            source_run_id = v.validate_run_reference(source_run_id, "source_run_id")
        checked_tags = tv.validate_tags(tags)
        checked_params = tv.validate_params(params)
        model_type = v.validate_optional_text(model_type, "model_type", v.MAX_MODEL_TYPE_LENGTH)
        experiment = self.tracking.get_experiment(user, experiment_id)
        if experiment.lifecycle_stage is LifecycleStage.DELETED:
            raise InvalidState(f"Experiment {experiment_id!r} is deleted; restore it first")
        if not name:
            name = self._free_generated_name(experiment_id)
        return self.store.create_logged_model(
            experiment_id,
            experiment.artifact_location,
            name,
            user,
            source_run_id=source_run_id,
            tags=checked_tags,
            params=checked_params,
            model_type=model_type or None,
        )

    def _free_generated_name(self, experiment_id: str) -> str:
        candidates = name_candidates()
        taken = self.store.names_in_use(experiment_id, candidates)
        free = [c for c in candidates if c not in taken]
        # Eight random picks among 1.6 million all taken: the experiment holds a great many
        # models; a longer number still reads as a name.
        return free[0] if free else f"{candidates[0]}{secrets.randbelow(10**6):06d}"

    def record_model_version(self, model_id: str, name: str, version: int) -> None:
        """List a version registered from the logged model in its ``mlflow.modelVersions``
        tag, as MLflow does (the registry calls this: lineage, not a user's tag, so no
        permission on the logged model is asked). A model we do not know (a dangling
        reference) or that was deleted has no tags to keep."""
        with contextlib.suppress(NotFound):
            self.store.add_model_version(model_id, name, version)

    def get_logged_model(self, user: str, model_id: str) -> LoggedModel:
        return self.store.get_logged_model(v.validate_logged_model_reference(model_id))

    def finalize_logged_model(
        self, user: str, model_id: str, status: str, status_message: str | None = None
    ) -> LoggedModel:
        checked = v.validate_logged_model_status(status)
        message = v.validate_optional_text(
            status_message, "status_message", v.MAX_STATUS_MESSAGE_LENGTH
        )
        self._owned_logged_model(user, model_id, "finalize")
        return self.store.finalize_logged_model(model_id, checked.value, message or "")

    def delete_logged_model(self, user: str, model_id: str) -> None:
        self._owned_logged_model(user, model_id, "delete")
        self.store.delete_logged_model(model_id)

    def search_logged_models(
        self,
        user: str,
        experiment_ids: Sequence[str],
        filter_string: str | None = "",
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[LoggedModel]:
        ids = tv.validate_experiment_ids(experiment_ids)
        if not ids:
            raise InvalidParameter("experiment_ids must name an experiment", field="experiment_ids")
        return self.store.search_logged_models(
            ids,
            filter_string=tv.validate_filter(filter_string),
            max_results=v.validate_max_results(max_results, v.MAX_REGISTRY_RESULTS),
            order_by=tv.validate_order_by(order_by),
            page_token=tv.validate_page_token(page_token),
        )

    def search_experiment_logged_models(
        self,
        user: str,
        experiment_id: str,
        filter_string: str | None = "",
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[LoggedModel]:
        """:meth:`search_logged_models` in one experiment (the REST route names one)."""
        return self.search_logged_models(
            user, [experiment_id], filter_string, max_results, order_by, page_token
        )

    def set_logged_model_tags(self, user: str, model_id: str, tags: Mapping[str, str]) -> None:
        checked = tv.validate_tags(tags)
        self._owned_logged_model(user, model_id, "tag")
        if checked:
            self.store.set_logged_model_tags(model_id, checked)

    def set_logged_model_tag(self, user: str, model_id: str, key: str, value: str) -> None:
        key = tv.validate_key(key)
        value = tv.validate_tag_value(value, "value")
        self._owned_logged_model(user, model_id, "tag")
        self.store.set_logged_model_tags(model_id, {key: value})

    def delete_logged_model_tag(self, user: str, model_id: str, key: str) -> None:
        key = tv.validate_key(key)
        self._owned_logged_model(user, model_id, "untag")
        self.store.delete_logged_model_tag(model_id, key)

    def log_logged_model_params(self, user: str, model_id: str, params: Mapping[str, str]) -> None:
        checked = tv.validate_params(params)
        self._owned_logged_model(user, model_id, "log params to")
        if checked:
            self.store.log_logged_model_params(model_id, checked)

    # -- run outputs (MLflow 3) ----------------------------------------------------------
    # The run that produced a logged model is its ``source_run_id``: ``create_logged_model``
    # inside a run (``mlops.log_model``, MLflow's ``log_model``) sets it, and MLflow's
    # ``log_outputs`` call sets it on a model created without one, with the step at which
    # the run logged it (0 for a model made inside the run until ``log_outputs`` says
    # otherwise). One producing run per model.
    def log_run_outputs(
        self,
        user: str,
        run_id: str,
        model_ids: Sequence[str],
        steps: Sequence[int] | None = None,
    ) -> None:
        """Record the run as the producer of each logged model, at ``steps[i]`` (default 0),
        as MLflow's ``log_outputs`` does; logging a model of the run again records its new
        step.

        Only the run's user or an admin, on a run not deleted; a model already produced by
        another run is refused (InvalidState naming ``models[i].model_id``) rather than
        silently left linked to that other run.
        """
        run_id = tv.validate_run_id(run_id)
        if isinstance(model_ids, str) or not isinstance(model_ids, Sequence):
            raise InvalidParameter("models must be a list of logged model ids", field="models")
        checked = [
            v.validate_logged_model_reference(m, f"models[{i}].model_id")
            for i, m in enumerate(model_ids)
        ]
        if steps is None:
            steps = [0] * len(checked)
        elif len(steps) != len(checked):
            raise InvalidParameter("models and steps must be as many", field="models")
        checked_steps = [tv.validate_int(s, f"models[{i}].step") for i, s in enumerate(steps)]
        info = run_info(self.tracking, user, run_id, "run_id")
        if not (self.tracking.is_admin(user) or info.user == user):
            raise PermissionDenied(
                f"{user!r} may not log outputs of run {run_id!r} of {info.user!r}; "
                "only the run's user or an admin may"
            )
        if info.lifecycle_stage is LifecycleStage.DELETED:
            raise InvalidState(f"Run {run_id!r} is deleted; restore it first")
        models = []
        for i, model_id in enumerate(checked):
            field = f"models[{i}].model_id"
            try:
                model = self.store.get_logged_model(model_id)
            except NotFound:
                raise NotFound(
                    f"Logged model with ID '{model_id}' not found.", field=field
                ) from None
            if model.source_run_id not in (None, run_id):
                raise InvalidState(
                    f"Logged model {model_id!r} is an output of run {model.source_run_id!r}; "
                    "a logged model has one producing run here",
                    field=field,
                )
            models.append(model)
        for model, step in zip(models, checked_steps, strict=True):
            self.store.set_logged_model_source_run(model.model_id, run_id, step)

    def run_logged_models(
        self,
        user: str,
        run_id: str,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> Page[LoggedModel]:
        """The logged models the run produced (its outputs), oldest first, one page."""
        run_id = tv.validate_run_id(run_id)
        info = run_info(self.tracking, user, run_id, "run_id")
        return self.search_logged_models(
            user,
            [info.experiment_id],
            filter_string=f"source_run_id = '{run_id}'",  # a validated 32-hex id
            max_results=max_results,
            order_by=["creation_timestamp ASC"],
            page_token=page_token,
        )

    # -- logged model files --------------------------------------------------------------
    # A logged model's folder (``artifact_location``) is addressed like a run's: the same
    # LocalArtifactRepository confines every user path (no "..", absolute paths,
    # backslashes, control characters or symlinks leading out of the folder).
    # A deleted model's files stay readable until garbage collection, as in MLflow: a
    # registered version may still point at them.
    def list_logged_model_artifacts(
        self, user: str, model_id: str, path: str = ""
    ) -> list[FileInfo]:
        """The entries of one folder of the model's files (not recursive), named relative
        to the model's artifact folder; ``[]`` for a folder that does not exist."""
        split_artifact_path(path)
        model = self._readable_logged_model(model_id)
        return self.artifacts.list(model.artifact_location, path)

    def logged_model_artifact_file(self, user: str, model_id: str, path: str) -> Path:
        """An existing regular file of the model; NotFound otherwise."""
        split_artifact_path(path)
        model = self._readable_logged_model(model_id)
        return self.artifacts.resolve_for_read(model.artifact_location, path)

    def _readable_logged_model(self, model_id: str) -> LoggedModel:
        return self.store.get_logged_model(
            v.validate_logged_model_reference(model_id), include_deleted=True
        )

    def check_logged_model_artifact_write(self, user: str, model_id: str, path: str) -> LoggedModel:
        """Raise what :meth:`write_logged_model_artifact` would raise, before any byte of an
        upload is read; returns the model.

        Only its creator or an admin may write, and never to a deleted model (it is not
        found). As in MLflow, a READY model still takes files: MLflow's own client uploads
        into an existing model (``log_model(model_id=...)`` of an external model).
        """
        if not split_artifact_path(path):
            raise InvalidParameter("path must name a file", field="path")
        return self._owned_logged_model(user, model_id, "upload artifacts to")

    def write_logged_model_artifact(
        self, user: str, model_id: str, path: str, source: bytes | BinaryIO
    ) -> FileInfo:
        """Store one file (bytes or a binary stream) at ``path`` in the model's folder."""
        model = self.check_logged_model_artifact_write(user, model_id, path)
        return self.artifacts.write(model.artifact_location, path, source)

    def log_logged_model_metrics(
        self, user: str, model_id: str, metrics: Sequence[LoggedModelMetric]
    ) -> None:
        """Record metrics of a logged model (MLflow 3 logs a run's metrics with a model_id)."""
        checked: list[LoggedModelMetric] = []
        for i, metric in enumerate(metrics):
            field = f"metrics[{i}]"
            if not isinstance(metric, LoggedModelMetric):
                raise InvalidParameter(f"{field} must be a metric", field=field)
            tv.validate_key(metric.key, f"{field}.key")
            value = tv.validate_metric_value(metric.value, f"{field}.value")
            timestamp = metric.timestamp if metric.timestamp is not None else now_ms()
            tv.validate_timestamp(timestamp, f"{field}.timestamp")
            tv.validate_int(metric.step, f"{field}.step")
            dataset = validate_metric_dataset(
                metric.dataset_name, metric.dataset_digest, f"{field}."
            )
            checked.append(
                LoggedModelMetric(
                    metric.key, value, timestamp, metric.step, metric.run_id, *dataset
                )
            )
        self._owned_logged_model(user, model_id, "log metrics to")
        if checked:
            self.store.log_logged_model_metrics(model_id, checked)

    def delete_logged_model_artifact(self, user: str, model_id: str, path: str) -> None:
        """Delete the file or folder at ``path`` in the model's folder (creator or admin)."""
        model = self.check_logged_model_artifact_write(user, model_id, path)
        self.artifacts.delete(model.artifact_location, path)
