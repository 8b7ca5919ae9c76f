"""The registry service: THE single place where model-registry rules live.

The native REST handlers, the MLflow-compatible handlers and the client's direct
transport all call :class:`RegistryService`. For each call it validates the input's shape
(``InvalidParameter`` naming the field), checks the caller's permission
(``PermissionDenied``) and calls the store, which keeps integrity (unique names, version
numbers, one version per alias).

Permission model (the tracking service's, applied to models):

* every caller may read every registered model, version, alias and logged model (anyone
  may read every experiment, so anyone may read the models made from its runs);
* any caller may create a registered model (and becomes its owner) and may create logged
  models in an active experiment (and becomes their creator);
* only a registered model's owner, or an admin, may change it: rename, describe, tag,
  alias, add, change or delete versions, delete the model;
* only a logged model's creator, or an admin, may finalize, tag or delete it, or write
  files into its artifact folder; anyone may list and read those files.

A version's ``source`` is checked by :mod:`.sources` and turned into its
``storage_location``: the artifact-root-relative folder of the model files, confined to
the artifact root even through symlinks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

from ..errors import InvalidParameter, InvalidState, NotFound, PermissionDenied
from ..tracking import validation as tv
from ..tracking.artifacts import LocalArtifactRepository, split_artifact_path
from ..tracking.entities import FileInfo, LifecycleStage, Page, RunInfo
from ..tracking.service import TrackingService, now_ms
from . import validation as v
from .entities import (
    LoggedModel,
    LoggedModelMetric,
    ModelLocation,
    ModelVersion,
    RegisteredModel,
    Stage,
)
from .sources import ParsedSource, join_location, parse_source
from .store.sql_store import SqlRegistryStore

_MODEL_URI = re.compile(r"^models:/(?P<rest>.+)$")
_RUN_URI = re.compile(r"^runs:/")


class RegistryService:
    """Registry operations on behalf of a named user; see the module docstring.

    Every method takes the calling user's name first; methods are synchronous and
    thread-safe, so async callers run them in an executor.
    """

    def __init__(
        self,
        store: SqlRegistryStore,
        tracking: TrackingService,
        artifacts: LocalArtifactRepository | None = None,
    ) -> None:
        self.store = store
        self.tracking = tracking
        self.artifacts = artifacts if artifacts is not None else tracking.artifacts

    # -- permissions ---------------------------------------------------------------------
    def is_admin(self, user: str) -> bool:
        return self.tracking.is_admin(user)

    def _owned_model(self, user: str, name: str, action: str) -> RegisteredModel:
        model = self.store.get_registered_model(name)
        if self.is_admin(user) or (model.owner and model.owner == user):
            return model
        raise PermissionDenied(
            f"{user!r} may not {action} registered model {name!r} (owned by {model.owner!r}); "
            "only its owner or an admin may"
        )

    def _owned_logged_model(self, user: str, model_id: str, action: str) -> LoggedModel:
        model = self.store.get_logged_model(v.validate_logged_model_id(model_id))
        if self.is_admin(user) or (model.creator_id and model.creator_id == user):
            return model
        raise PermissionDenied(
            f"{user!r} may not {action} logged model {model_id!r} (created by "
            f"{model.creator_id!r}); only its creator or an admin may"
        )

    # -- registered models ---------------------------------------------------------------
    def create_registered_model(
        self,
        user: str,
        name: str,
        description: str = "",
        tags: Mapping[str, str] | None = None,
    ) -> RegisteredModel:
        name = v.validate_model_name(name)
        description = v.validate_description(description)
        checked_tags = tv.validate_tags(tags)
        return self.store.create_registered_model(name, user, description, checked_tags)

    def get_registered_model(self, user: str, name: str) -> RegisteredModel:
        return self.store.get_registered_model(v.validate_model_name(name))

    def rename_registered_model(self, user: str, name: str, new_name: str) -> RegisteredModel:
        name = v.validate_model_name(name)
        new_name = v.validate_model_name(new_name, "new_name")
        self._owned_model(user, name, "rename")
        return self.store.rename_registered_model(name, new_name)

    def update_registered_model(self, user: str, name: str, description: str) -> RegisteredModel:
        name = v.validate_model_name(name)
        description = v.validate_description(description)
        self._owned_model(user, name, "change")
        return self.store.update_registered_model(name, description)

    def delete_registered_model(self, user: str, name: str) -> None:
        name = v.validate_model_name(name)
        self._owned_model(user, name, "delete")
        self.store.delete_registered_model(name)

    def search_registered_models(
        self,
        user: str,
        filter_string: str | None = "",
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[RegisteredModel]:
        return self.store.search_registered_models(
            filter_string=tv.validate_filter(filter_string),
            max_results=v.validate_max_results(max_results, v.MAX_REGISTRY_RESULTS),
            order_by=tv.validate_order_by(order_by),
            page_token=tv.validate_page_token(page_token),
        )

    def set_registered_model_tag(self, user: str, name: str, key: str, value: str) -> None:
        name = v.validate_model_name(name)
        key = tv.validate_key(key)
        value = tv.validate_tag_value(value, "value")
        self._owned_model(user, name, "tag")
        self.store.set_registered_model_tag(name, key, value)

    def delete_registered_model_tag(self, user: str, name: str, key: str) -> None:
        name = v.validate_model_name(name)
        key = tv.validate_key(key)
        self._owned_model(user, name, "untag")
        self.store.delete_registered_model_tag(name, key)

    # -- model versions ------------------------------------------------------------------
    def create_model_version(
        self,
        user: str,
        name: str,
        source: str,
        run_id: str | None = None,
        description: str = "",
        tags: Mapping[str, str] | None = None,
        run_link: str | None = None,
        model_id: str | None = None,
    ) -> ModelVersion:
        """Register ``source`` as the model's next version (1, 2, 3...), READY at once:
        the files are already in the artifact store."""
        name = v.validate_model_name(name)
        parsed = parse_source(source)
        if run_id == "":
            run_id = None
        if run_id is not None:
            run_id = tv.validate_run_id(run_id)
        if model_id == "":
            model_id = None
        if model_id is not None:
            model_id = v.validate_logged_model_id(model_id)
        description = v.validate_description(description)
        checked_tags = tv.validate_tags(tags)
        link = v.validate_optional_text(run_link, "run_link", v.MAX_RUN_LINK_LENGTH) or ""
        self._owned_model(user, name, "add versions to")
        storage, run_id, model_id = self._locate_source(user, parsed, run_id, model_id)
        return self.store.create_model_version(
            name,
            parsed.source,
            storage,
            user,
            run_id=run_id,
            description=description,
            tags=checked_tags,
            run_link=link,
            model_id=model_id,
        )

    def _locate_source(
        self, user: str, parsed: ParsedSource, run_id: str | None, model_id: str | None
    ) -> tuple[str, str | None, str | None]:
        """(storage location, run id, logged model id) of a checked source."""
        if parsed.kind == "run":
            assert parsed.run_id is not None
            if run_id is not None and run_id != parsed.run_id:
                raise InvalidParameter(
                    f"run_id {run_id!r} differs from the run of the source {parsed.source!r}",
                    field="run_id",
                )
            run_id = parsed.run_id
            info = self._run_info(run_id, "source")
            storage = join_location(info.artifact_uri, parsed.path)
        elif parsed.kind == "logged_model":
            assert parsed.model_id is not None
            if model_id is not None and model_id != parsed.model_id:
                raise InvalidParameter(
                    f"model_id {model_id!r} differs from the model of the source {parsed.source!r}",
                    field="model_id",
                )
            model_id = parsed.model_id
            logged = self._logged_model_for_source(model_id, "source")
            storage = logged.artifact_location
            run_id = run_id or logged.source_run_id
        elif parsed.kind == "model_version":
            assert parsed.name is not None
            try:
                copied = self.store.get_model_version(
                    v.validate_model_name(parsed.name, "source"), int(parsed.path)
                )
            except NotFound:
                raise NotFound(f"No model version {parsed.source!r}", field="source") from None
            storage = copied.storage_location
            run_id = run_id or copied.run_id
            model_id = model_id or copied.model_id
        else:
            storage = parsed.path
        if parsed.kind != "run" and run_id is not None:
            self._run_info(run_id, "run_id")
        if parsed.kind not in ("logged_model", "model_version") and model_id is not None:
            self._logged_model_for_source(model_id, "model_id")
        self._check_confined(storage)
        return storage, run_id, model_id

    def _run_info(self, run_id: str, field: str) -> RunInfo:
        try:
            return self.tracking.store.get_run_info(run_id)
        except NotFound:
            raise NotFound(f"No run with id {run_id!r} (from {field})", field=field) from None

    def _logged_model_for_source(self, model_id: str, field: str) -> LoggedModel:
        try:
            return self.store.get_logged_model(model_id)
        except NotFound:
            raise NotFound(f"No logged model with id {model_id!r}", field=field) from None

    def _check_confined(self, storage: str) -> None:
        """The folder must stay inside the artifact root once every existing symlink on
        the way is followed (a run's folder could hold a link to ``/``)."""
        root = Path(self.artifacts.root).resolve()
        target = (root / storage).resolve()
        if target != root and root not in target.parents:
            raise InvalidParameter("source leads outside the artifact store", field="source")

    def _version_number(self, version: object) -> int:
        return v.validate_version(version)

    def get_model_version(self, user: str, name: str, version: str | int) -> ModelVersion:
        return self.store.get_model_version(
            v.validate_model_name(name), self._version_number(version)
        )

    def update_model_version(
        self, user: str, name: str, version: str | int, description: str
    ) -> ModelVersion:
        name = v.validate_model_name(name)
        number = self._version_number(version)
        description = v.validate_description(description)
        self._owned_model(user, name, "change versions of")
        return self.store.update_model_version(name, number, description)

    def delete_model_version(self, user: str, name: str, version: str | int) -> None:
        name = v.validate_model_name(name)
        number = self._version_number(version)
        self._owned_model(user, name, "delete versions of")
        self.store.delete_model_version(name, number)

    def search_model_versions(
        self,
        user: str,
        filter_string: str | None = "",
        max_results: int = 1000,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[ModelVersion]:
        return self.store.search_model_versions(
            filter_string=tv.validate_filter(filter_string),
            max_results=v.validate_max_results(max_results, v.MAX_VERSION_RESULTS),
            order_by=tv.validate_order_by(order_by),
            page_token=tv.validate_page_token(page_token),
        )

    def set_model_version_tag(
        self, user: str, name: str, version: str | int, key: str, value: str
    ) -> None:
        name = v.validate_model_name(name)
        number = self._version_number(version)
        key = tv.validate_key(key)
        value = tv.validate_tag_value(value, "value")
        self._owned_model(user, name, "tag versions of")
        self.store.set_model_version_tag(name, number, key, value)

    def delete_model_version_tag(self, user: str, name: str, version: str | int, key: str) -> None:
        name = v.validate_model_name(name)
        number = self._version_number(version)
        key = tv.validate_key(key)
        self._owned_model(user, name, "untag versions of")
        self.store.delete_model_version_tag(name, number, key)

    def get_latest_versions(
        self, user: str, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        """The newest version in each stage asked for (each stage when none is given)."""
        name = v.validate_model_name(name)
        checked = v.validate_stages(list(stages) if stages is not None else None)
        wanted = None if not checked else [s.value for s in checked]
        return self.store.get_latest_versions(name, wanted)

    def transition_model_version_stage(
        self,
        user: str,
        name: str,
        version: str | int,
        stage: str,
        archive_existing: bool = False,
    ) -> ModelVersion:
        name = v.validate_model_name(name)
        number = self._version_number(version)
        checked = v.validate_stage(stage)
        if not isinstance(archive_existing, bool):
            raise InvalidParameter(
                "archive_existing_versions must be true or false", field="archive_existing"
            )
        self._owned_model(user, name, "change stages of")
        return self.store.transition_model_version_stage(
            name, number, checked.value, archive_existing
        )

    def get_model_version_download_uri(self, user: str, name: str, version: str | int) -> str:
        """The artifact-root-relative folder of the version's files."""
        return self.get_model_version(user, name, version).storage_location

    # -- aliases -------------------------------------------------------------------------
    def set_registered_model_alias(
        self, user: str, name: str, alias: str, version: str | int
    ) -> None:
        """Point ``alias`` at ``version``, moving it (atomically) from another version."""
        name = v.validate_model_name(name)
        alias = v.validate_alias(alias)
        number = self._version_number(version)
        self._owned_model(user, name, "set aliases of")
        self.store.set_registered_model_alias(name, alias, number)

    def delete_registered_model_alias(self, user: str, name: str, alias: str) -> None:
        name = v.validate_model_name(name)
        alias = v.validate_alias(alias)
        self._owned_model(user, name, "delete aliases of")
        self.store.delete_registered_model_alias(name, alias)

    def get_model_version_by_alias(self, user: str, name: str, alias: str) -> ModelVersion:
        return self.store.get_model_version_by_alias(
            v.validate_model_name(name), v.validate_alias(alias)
        )

    # -- model URIs ----------------------------------------------------------------------
    def locate_model_uri(self, user: str, uri: str) -> ModelLocation:
        """What a model URI names and where its files are.

        ``models:/<name>/<version>``, ``models:/<name>@<alias>``, ``models:/<name>/latest``,
        ``models:/<name>/<stage>``, ``models:/m-<id>`` and ``runs:/<run_id>/<path>``.
        """
        if not isinstance(uri, str) or not uri:
            raise InvalidParameter("model_uri must be a non-empty string", field="model_uri")
        match = _MODEL_URI.match(uri)
        if match is None:
            if not _RUN_URI.match(uri):
                raise InvalidParameter(
                    f"{uri!r} is not a model URI (models:/... or runs:/<run_id>/<path>)",
                    field="model_uri",
                )
            parsed = parse_source(uri)
            assert parsed.run_id is not None
            info = self._run_info(parsed.run_id, "model_uri")
            return ModelLocation(join_location(info.artifact_uri, parsed.path), run_id=info.run_id)
        rest = match["rest"].strip("/")
        if rest.startswith("m-") and "/" not in rest and "@" not in rest:
            logged = self.get_logged_model(user, rest)
            return ModelLocation(
                logged.artifact_location, logged_model=logged, run_id=logged.source_run_id
            )
        version = self._version_of_uri(user, uri, rest)
        return ModelLocation(
            version.storage_location,
            model_version=version,
            logged_model=self._logged_model_holding(version),
            run_id=version.run_id,
        )

    def _logged_model_holding(self, version: ModelVersion) -> LoggedModel | None:
        """The version's logged model when its files are that model's folder (MLflow 3
        registers ``models:/m-<id>`` so), so that clients fetch them as the model's files."""
        if version.model_id is None:
            return None
        try:
            logged = self.store.get_logged_model(version.model_id, include_deleted=True)
        except NotFound:
            return None
        return logged if logged.artifact_location == version.storage_location else None

    def _version_of_uri(self, user: str, uri: str, rest: str) -> ModelVersion:
        if "@" in rest and "/" not in rest:
            name, _, alias = rest.partition("@")
            return self.get_model_version_by_alias(user, name, alias)
        name, _, selector = rest.rpartition("/")
        if not name:
            raise InvalidParameter(
                f"{uri!r}: use models:/<name>/<version>, models:/<name>@<alias> or "
                "models:/m-<model id>",
                field="model_uri",
            )
        if selector.isascii() and selector.isdigit():
            return self.get_model_version(user, name, selector)
        stages = None if selector.lower() == "latest" else [v.validate_stage(selector, "model_uri")]
        found = self.get_latest_versions(user, name, [s.value for s in stages] if stages else None)
        if not found:
            raise NotFound(f"{uri!r}: registered model {name!r} has no such version")
        return max(found, key=lambda mv: int(mv.version))

    def resolve_model_uri(self, user: str, uri: str) -> str:
        """The artifact-root-relative folder holding the model a URI names."""
        return self.locate_model_uri(user, uri).storage_location

    # -- logged models -------------------------------------------------------------------
    def create_logged_model(
        self,
        user: str,
        experiment_id: str,
        name: str,
        source_run_id: str | None = None,
        tags: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        model_type: str | None = None,
    ) -> LoggedModel:
        """A PENDING logged model in an active experiment; its files go to
        ``<experiment>/models/<model_id>/artifacts``; finalize it once they are there."""
        experiment_id = tv.validate_experiment_id(experiment_id)
        name = tv._require_text(name, "name", 500, allow_control=False)
        if not name.strip():
            raise InvalidParameter("name must not be empty", field="name")
        if source_run_id == "":
            source_run_id = None
        if source_run_id is not None:
            source_run_id = tv.validate_run_id(source_run_id, "source_run_id")
        checked_tags = tv.validate_tags(tags)
        checked_params = tv.validate_params(params)
        model_type = v.validate_optional_text(model_type, "model_type", v.MAX_MODEL_TYPE_LENGTH)
        experiment = self.tracking.store.get_experiment(experiment_id)
        if experiment.lifecycle_stage is LifecycleStage.DELETED:
            raise InvalidState(f"Experiment {experiment_id!r} is deleted; restore it first")
        if source_run_id is not None:
            self._run_info(source_run_id, "source_run_id")
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

    def get_logged_model(self, user: str, model_id: str) -> LoggedModel:
        return self.store.get_logged_model(v.validate_logged_model_id(model_id))

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

    def set_logged_model_tags(self, user: str, model_id: str, tags: Mapping[str, str]) -> None:
        checked = tv.validate_tags(tags)
        self._owned_logged_model(user, model_id, "tag")
        if checked:
            self.store.set_logged_model_tags(model_id, checked)

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
    # ``log_outputs`` call sets it on a model created without one. One producing run per
    # model: MLflow's step of the output is not kept.
    def log_run_outputs(self, user: str, run_id: str, model_ids: Sequence[str]) -> None:
        """Record the run as the producer of each logged model (MLflow's ``log_outputs``).

        Only the run's user or an admin, on a run not deleted; a model already produced by
        another run is refused (InvalidState naming ``models[i].model_id``) rather than
        silently left linked to that other run.
        """
        run_id = tv.validate_run_id(run_id)
        if isinstance(model_ids, str) or not isinstance(model_ids, Sequence):
            raise InvalidParameter("models must be a list of logged model ids", field="models")
        checked = [
            v.validate_logged_model_id(m, f"models[{i}].model_id") for i, m in enumerate(model_ids)
        ]
        info = self._run_info(run_id, "run_id")
        if not (self.is_admin(user) or info.user == user):
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
                raise NotFound(f"No logged model with id {model_id!r}", field=field) from None
            if model.source_run_id not in (None, run_id):
                raise InvalidState(
                    f"Logged model {model_id!r} is an output of run {model.source_run_id!r}; "
                    "a logged model has one producing run here",
                    field=field,
                )
            models.append(model)
        for model in models:
            if model.source_run_id is None:
                self.store.set_logged_model_source_run(model.model_id, run_id)

    def run_logged_models(
        self,
        user: str,
        run_id: str,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> Page[LoggedModel]:
        """The logged models the run produced (its outputs), oldest first, one page."""
        run_id = tv.validate_run_id(run_id)
        info = self._run_info(run_id, "run_id")
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
            v.validate_logged_model_id(model_id), include_deleted=True
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
            checked.append(
                LoggedModelMetric(metric.key, value, timestamp, metric.step, metric.run_id)
            )
        self._owned_logged_model(user, model_id, "log metrics to")
        if checked:
            self.store.log_logged_model_metrics(model_id, checked)


__all__ = ["RegistryService", "Stage"]
