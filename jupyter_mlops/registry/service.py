"""The registry service: THE single place where model-registry rules live.

The native REST handlers, the MLflow-compatible handlers and the client's direct
transport all call :class:`RegistryService`. For each call it validates the input's shape
(``InvalidParameter`` naming the field), checks the caller's permission
(``PermissionDenied``) and calls the store, which keeps integrity (unique names, version
numbers, one version per alias).

Logged models (MLflow 3) are the registry's owned sub-domain: their operations and rules
are :class:`~.logged_models.service.LoggedModelService`'s, built with the registry as
:attr:`RegistryService.logged_models`, and every caller calls that service for them. The
registry keeps only its own rules that use them (a version registered from a logged model,
a ``models:/m-<id>`` URI).

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

from ..errors import InvalidParameter, NotFound, PermissionDenied
from ..tracking import validation as tv
from ..tracking.artifacts import LocalArtifactRepository
from ..tracking.entities import Page, RunInfo
from ..tracking.service import TrackingService
from . import validation as v
from .entities import (
    LoggedModel,
    ModelLocation,
    ModelVersion,
    RegisteredModel,
    Stage,
)
from .logged_models.service import LoggedModelService, run_info
from .logged_models.store import SqlLoggedModelStore
from .sources import (
    OWN_LOGGED_MODEL_ID,
    OWN_RUN_ID,
    ParsedSource,
    is_stored_here,
    join_location,
    parse_source,
)
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
        logged_models: LoggedModelService | None = None,
    ) -> None:
        self.store = store
        self.tracking = tracking
        self.artifacts = artifacts if artifacts is not None else tracking.artifacts
        if logged_models is None:
            logged_models = LoggedModelService(
                SqlLoggedModelStore(store.database), tracking, self.artifacts
            )
            # Wiring, not I/O: tracking asks the logged models' owner about them from now
            # on (which exist, which runs produced them) instead of reading their tables.
            tracking.use_logged_models(logged_models)
        self.logged_models = logged_models

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

    def update_registered_model(
        self,
        user: str,
        name: str,
        description: str | None = None,
        new_name: str | None = None,
    ) -> RegisteredModel:
        """Rename (``new_name``) and/or re-describe the model; the model as it is then
        (unchanged, and readable by anyone, when neither is given)."""
        name = v.validate_model_name(name)
        if description is not None:
            description = v.validate_description(description)
        if new_name is not None and new_name != name:
            name = self.rename_registered_model(user, name, new_name).name
        if description is None:
            return self.store.get_registered_model(name)
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
        server_host: str | None = None,
    ) -> ModelVersion:
        """Register ``source`` as the model's next version (1, 2, 3...), READY at once.

        ``server_host``: the ``host[:port]`` the caller reached this server by, so that
        ``mlflow-artifacts://<that host>/...`` names our artifact store. A version made
        from a logged model is listed in that model's ``mlflow.modelVersions`` tag, as
        MLflow lists it.
        """
        name = v.validate_model_name(name)
        own_hosts = (server_host.lower(),) if server_host else ()
        parsed = parse_source(source, own_hosts, self.tracking.external_artifact_stores)
        if run_id == "":
            run_id = None
        if run_id is not None:
            run_id = v.validate_run_reference(run_id)
        if model_id == "":
            model_id = None
        if model_id is not None:
            model_id = v.validate_logged_model_reference(model_id)
        description = v.validate_description(description)
        checked_tags = tv.validate_tags(tags)
        link = v.validate_optional_text(run_link, "run_link", v.MAX_RUN_LINK_LENGTH) or ""
        self._owned_model(user, name, "add versions to")
        recorded, storage, run_id, model_id = self._locate_source(user, parsed, run_id, model_id)
        version = self.store.create_model_version(
            name,
            recorded,
            storage,
            user,
            run_id=run_id,
            description=description,
            tags=checked_tags,
            run_link=link,
            model_id=model_id,
        )
        if model_id is not None:
            self.logged_models.record_model_version(model_id, name, int(version.version))
        return version

    def _locate_source(
        self, user: str, parsed: ParsedSource, run_id: str | None, model_id: str | None
    ) -> tuple[str, str, str | None, str | None]:
        """(recorded source, storage location, run id, logged model id) of a checked source.

        The storage location is an artifact-root-relative folder when the files are ours,
        and the source itself when they are not (a run or logged model we do not know, an
        allowed object store): MLflow's clients then resolve it themselves, and reading
        it through this server answers 404.
        """
        recorded = parsed.source
        if parsed.kind == "run":
            assert parsed.run_id is not None
            if run_id is not None and run_id != parsed.run_id:
                raise _not_the_container(parsed.source, "run_id")
            run_id = parsed.run_id
            info = self._known_run(user, run_id)
            storage = (
                parsed.source if info is None else join_location(info.artifact_uri, parsed.path)
            )
        elif parsed.kind == "logged_model":
            assert parsed.model_id is not None
            if model_id is not None and model_id != parsed.model_id:
                raise _not_the_container(parsed.source, "model_id")
            model_id = parsed.model_id
            logged = self._known_logged_model(model_id)
            storage = parsed.source if logged is None else logged.artifact_location
            if logged is not None:
                run_id = run_id or logged.source_run_id
        elif parsed.kind == "model_version":
            copied = self._version_of_source(user, parsed)
            if (run_id is not None and run_id != copied.run_id) or (
                model_id is not None and model_id != copied.model_id
            ):
                raise InvalidParameter(
                    f"Invalid model version source: '{parsed.source}'. The run_id and model_id "
                    "request parameters must match the referenced model version.",
                    field="run_id" if run_id is not None else "model_id",
                )
            recorded = f"models:/{copied.name}/{copied.version}"
            storage = copied.storage_location
            run_id = run_id or copied.run_id
            model_id = model_id or copied.model_id
        elif parsed.kind == "external":
            storage = parsed.source
        else:
            storage = parsed.path
            if run_id is not None:
                # A folder of our store said to come from a run: the run must be ours.
                run_info(self.tracking, user, run_id, "run_id")
        if parsed.kind not in ("logged_model", "model_version") and model_id is not None:
            self.logged_models.lookup(model_id, "model_id")
        if is_stored_here(storage):
            self._check_confined(storage)
        return recorded, storage, run_id, model_id

    def _known_run(self, user: str, run_id: str) -> RunInfo | None:
        """The run when it is one of ours; None for a dangling reference."""
        if not OWN_RUN_ID.fullmatch(run_id):
            return None  # not an id this server hands out: no run of ours
        try:
            return self.tracking.get_run_info(user, run_id)
        except NotFound:
            return None

    def _known_logged_model(self, model_id: str) -> LoggedModel | None:
        if not OWN_LOGGED_MODEL_ID.fullmatch(model_id):
            return None
        try:
            return self.logged_models.lookup(model_id, "source")
        except NotFound:
            return None

    def _version_of_source(self, user: str, parsed: ParsedSource) -> ModelVersion:
        """The registered version a ``models:/<name>/...`` source names (MLflow's
        copy_model_version sends one); NotFound naming ``source`` when there is none."""
        assert parsed.name is not None
        try:
            name = v.validate_model_name(parsed.name, "source")
            self.store.get_registered_model(name)  # MLflow names the missing model first
            if parsed.alias is not None:
                return self.get_model_version_by_alias(user, name, parsed.alias)
            if parsed.path.isdigit():
                return self.store.get_model_version(name, int(parsed.path))
            stages = None if parsed.path == "latest" else [parsed.path]
            found = self.store.get_latest_versions(name, stages)
        except NotFound as error:
            raise NotFound(error.message, field="source") from None
        if not found:
            raise NotFound(
                f"Registered Model with name={name} has no version for {parsed.source!r}",
                field="source",
            )
        return max(found, key=lambda mv: int(mv.version))

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
        self,
        user: str,
        name: str,
        version: str | int,
        description: str | None = None,
        stage: str | None = None,
        archive_existing: bool = False,
    ) -> ModelVersion:
        """Re-describe the version and/or move it to ``stage`` (see
        :meth:`transition_model_version_stage`); the version as it is then (unchanged, and
        readable by anyone, when neither is given). Every value is checked before anything
        changes."""
        name = v.validate_model_name(name)
        number = self._version_number(version)
        if description is not None:
            description = v.validate_description(description)
        moved_to = None if stage is None else v.validate_stage(stage)
        _check_archive_existing(archive_existing)
        if description is None and moved_to is None:
            return self.store.get_model_version(name, number)
        action = "change versions of" if description is not None else "change stages of"
        self._owned_model(user, name, action)
        if description is not None:
            changed = self.store.update_model_version(name, number, description)
        if moved_to is not None:
            changed = self.store.transition_model_version_stage(
                name, number, moved_to.value, archive_existing
            )
        return changed

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

    def list_model_versions(
        self,
        user: str,
        name: str,
        stages: Sequence[str] | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> Page[ModelVersion]:
        """With ``stages``: the latest version in each stage given (one page); without: the
        model's versions, newest first, a page at a time (NotFound for a missing model)."""
        if stages:
            return Page(self.get_latest_versions(user, name, stages), None)
        name = self.get_registered_model(user, name).name
        quoted = name.replace("'", "''")  # the name travels as a quoted filter value
        return self.search_model_versions(
            user,
            filter_string=f"name = '{quoted}'",
            max_results=max_results,
            order_by=["version_number DESC"],
            page_token=page_token,
        )

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
        _check_archive_existing(archive_existing)
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
    ) -> ModelVersion:
        """Point ``alias`` at ``version``, moving it (atomically) from another version; the
        version it points at then."""
        name = v.validate_model_name(name)
        alias = v.validate_alias(alias)
        number = self._version_number(version)
        self._owned_model(user, name, "set aliases of")
        self.store.set_registered_model_alias(name, alias, number)
        return self.store.get_model_version_by_alias(name, alias)

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
            if self._known_run(user, parsed.run_id) is None:
                raise NotFound(f"Run with id={parsed.run_id} not found", field="model_uri")
            info = run_info(self.tracking, user, parsed.run_id, "model_uri")
            return ModelLocation(join_location(info.artifact_uri, parsed.path), run_id=info.run_id)
        rest = match["rest"].strip("/")
        if rest.startswith("m-") and "/" not in rest and "@" not in rest:
            logged = self.logged_models.get_logged_model(user, rest)
            return ModelLocation(
                logged.artifact_location, logged_model=logged, run_id=logged.source_run_id
            )
        version = self._version_of_uri(user, uri, rest)
        if not is_stored_here(version.storage_location):
            raise NotFound(
                f"The files of {uri!r} are not in this server's artifact store: version "
                f"{version.version} of {version.name!r} was registered from "
                f"{version.source!r}, which names no run or logged model of this server "
                "or lies in an external object store its client reads itself",
                field="model_uri",
            )
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
            logged = self.logged_models.lookup(version.model_id, "model_id", include_deleted=True)
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


def _not_the_container(source: str, field: str) -> InvalidParameter:
    return InvalidParameter(
        f"Invalid model version source: '{source}'. The {field} request parameter must "
        "identify the resource that contains the source.",
        field=field,
    )


def _check_archive_existing(archive_existing: object) -> None:
    if not isinstance(archive_existing, bool):
        raise InvalidParameter(
            "archive_existing_versions must be true or false", field="archive_existing"
        )


__all__ = ["RegistryService", "Stage"]
