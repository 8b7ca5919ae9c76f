"""Model-registry calls of the client: the transport interface, its two views (REST and
in-process) and the ``MlopsClient`` methods.

``RegistryTransport`` is ``RegistryService`` and its logged-models sub-domain
(``LoggedModelService``) without the ``user``: each of its methods is a declared operation
(``server/openapi.yaml``, ``x-mlops.call: registry.<method>`` or
``logged_models.<method>``). So the views spell almost nothing: ``registry_rest_view``
runs the declared operations over the one ``RestSession`` (``RestView``),
``registry_store_view`` binds both services in this process to one user
(``BoundService``). What the REST view does write out is where this
interface keeps a method the service serves through a wider one (a rename and a stage
move are updates, the latest versions a listing), where it takes several things and the
route one (tags, experiments), and the file transfers, which stream.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from ..api.operations import operation
from ..errors import InvalidParameter
from ..registry.entities import (
    LoggedModel,
    ModelLocation,
    ModelVersion,
    RegisteredModel,
    Stage,
)
from ..tracking.artifacts import split_artifact_path
from ..tracking.entities import FileInfo, Page
from .downloads import download_tree
from .rest_session import RestSession, wire_request
from .service_views import BoundService, RestView

if TYPE_CHECKING:
    from ..registry.service import RegistryService
    from ..tracking.service import TrackingService


class RegistryTransport(Protocol):
    """The registry half of a transport: ``RegistryService`` and its ``logged_models``
    without the ``user``."""

    def create_registered_model(
        self, name: str, description: str = "", tags: Mapping[str, str] | None = None
    ) -> RegisteredModel: ...

    def get_registered_model(self, name: str) -> RegisteredModel: ...

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel: ...

    def update_registered_model(self, name: str, description: str) -> RegisteredModel: ...

    def delete_registered_model(self, name: str) -> None: ...

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[RegisteredModel]: ...

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None: ...

    def delete_registered_model_tag(self, name: str, key: str) -> None: ...

    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        description: str = "",
        tags: Mapping[str, str] | None = None,
        run_link: str | None = None,
        model_id: str | None = None,
    ) -> ModelVersion: ...

    def get_model_version(self, name: str, version: str) -> ModelVersion: ...

    def update_model_version(self, name: str, version: str, description: str) -> ModelVersion: ...

    def delete_model_version(self, name: str, version: str) -> None: ...

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = 1000,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[ModelVersion]: ...

    def set_model_version_tag(self, name: str, version: str, key: str, value: str) -> None: ...

    def delete_model_version_tag(self, name: str, version: str, key: str) -> None: ...

    def set_registered_model_alias(self, name: str, alias: str, version: str) -> None: ...

    def delete_registered_model_alias(self, name: str, alias: str) -> None: ...

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion: ...

    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]: ...

    def transition_model_version_stage(
        self, name: str, version: str, stage: str, archive_existing: bool = False
    ) -> ModelVersion: ...

    def locate_model_uri(self, uri: str) -> ModelLocation: ...

    def create_logged_model(
        self,
        experiment_id: str,
        name: str,
        source_run_id: str | None = None,
        tags: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        model_type: str | None = None,
    ) -> LoggedModel: ...

    def get_logged_model(self, model_id: str) -> LoggedModel: ...

    def finalize_logged_model(
        self, model_id: str, status: str, status_message: str | None = None
    ) -> LoggedModel: ...

    def delete_logged_model(self, model_id: str) -> None: ...

    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[LoggedModel]: ...

    def set_logged_model_tags(self, model_id: str, tags: Mapping[str, str]) -> None: ...

    def delete_logged_model_tag(self, model_id: str, key: str) -> None: ...

    def log_logged_model_params(self, model_id: str, params: Mapping[str, str]) -> None: ...

    def run_logged_models(
        self, run_id: str, max_results: int = 100, page_token: str | None = None
    ) -> Page[LoggedModel]: ...

    # -- a logged model's files ("/"-separated paths inside its artifact folder) ---------
    def list_logged_model_artifacts(self, model_id: str, path: str = "") -> list[FileInfo]: ...

    def upload_logged_model_artifact(self, model_id: str, path: str, local_file: Path) -> FileInfo:
        """Store ``local_file`` as the model's file at ``path`` (creator or admin)."""

    def download_logged_model_artifact(self, model_id: str, path: str, local_file: Path) -> None:
        """Write the model's file at ``path`` to ``local_file``."""


# -- over REST -------------------------------------------------------------------------------
def registry_rest_view(session: RestSession) -> RegistryTransport:
    """The registry over REST: every ``RegistryTransport`` method as its operation."""
    return cast(RegistryTransport, RegistryRestView(session))


class RegistryRestView(RestView):
    """``RestView`` of the registry, with the methods whose operation differs from them."""

    def __init__(self, session: RestSession) -> None:
        super().__init__(session, RegistryTransport, ("registry", "logged_models"))

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        # update_registered_model renames too; the interface's signature of it does not.
        renamed: RegisteredModel = self._session.call(
            "updateRegisteredModel", {"name": name, "new_name": new_name}
        )
        return renamed

    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        # Without a stage the operation lists every version: name them all instead.
        wanted = list(stages or [stage.value for stage in Stage])
        page: Page[ModelVersion] = self._session.call(
            "listModelVersions", {"name": name, "stages": wanted}
        )
        return list(page.items)

    def transition_model_version_stage(
        self, name: str, version: str, stage: str, archive_existing: bool = False
    ) -> ModelVersion:
        arguments = {
            "name": name,
            "version": version,
            "stage": stage,
            "archive_existing": archive_existing,
        }
        moved: ModelVersion = self._session.call("updateModelVersion", arguments)
        return moved

    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[LoggedModel]:
        if len(experiment_ids) != 1:
            raise InvalidParameter(
                "over REST, search the logged models of one experiment at a time",
                field="experiment_ids",
            )
        arguments = {
            "experiment_id": experiment_ids[0],
            "filter_string": filter_string,
            "max_results": max_results,
            "order_by": order_by,
            "page_token": page_token,
        }
        page: Page[LoggedModel] = self._session.call("searchLoggedModels", arguments)
        return page

    def set_logged_model_tags(self, model_id: str, tags: Mapping[str, str]) -> None:
        for key, value in tags.items():  # the route sets one tag
            self._session.call(
                "setLoggedModelTag", {"model_id": model_id, "key": key, "value": value}
            )

    def upload_logged_model_artifact(self, model_id: str, path: str, local_file: Path) -> FileInfo:
        route = _file_route("uploadLoggedModelArtifact", model_id, path)
        return self._session.upload_file(route, local_file)

    def download_logged_model_artifact(self, model_id: str, path: str, local_file: Path) -> None:
        route = _file_route("downloadLoggedModelArtifact", model_id, path)
        self._session.download_file(route, local_file)


def _file_route(operation_id: str, model_id: str, path: str) -> str:
    route, _, _ = wire_request(operation(operation_id), {"model_id": model_id, "path": path})
    return route


# -- in this process -------------------------------------------------------------------------
def registry_store_view(
    user: str, registry_service: RegistryService | None, tracking_service: TrackingService
) -> RegistryTransport:
    """The registry in this process as ``user``. Without a ``registry_service``, one is
    built on the tracking service's database at first use: tracking-only clients never pay
    for the registry's store."""
    return cast(RegistryTransport, RegistryStoreView(user, registry_service, tracking_service))


class RegistryStoreView:
    """``RegistryService`` and its ``logged_models`` bound to one user (``BoundService``),
    with the file transfers."""

    def __init__(
        self, user: str, registry: RegistryService | None, tracking: TrackingService
    ) -> None:
        self._user = user
        self._registry = registry
        self._tracking = tracking
        self._bound: BoundService | None = None

    def _service(self) -> RegistryService:
        if self._registry is None:
            from ..registry.service import RegistryService
            from ..registry.store import SqlRegistryStore

            database = self._tracking.store.database  # type: ignore[attr-defined]
            self._registry = RegistryService(SqlRegistryStore(database), self._tracking)
        return self._registry

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._bound is None:
            registry = self._service()
            self._bound = BoundService(self._user, registry, registry.logged_models)
        return getattr(self._bound, name)

    def upload_logged_model_artifact(self, model_id: str, path: str, local_file: Path) -> FileInfo:
        with open(local_file, "rb") as source:
            logged_models = self._service().logged_models
            return logged_models.write_logged_model_artifact(self._user, model_id, path, source)

    def download_logged_model_artifact(self, model_id: str, path: str, local_file: Path) -> None:
        logged_models = self._service().logged_models
        found = logged_models.logged_model_artifact_file(self._user, model_id, path)
        shutil.copyfile(found, local_file)


def _strings(values: Mapping[str, Any] | None) -> dict[str, str] | None:
    return None if values is None else {str(k): str(v) for k, v in values.items()}


def _file_path(*parts: str | None, field: str = "artifact_path") -> str:
    """Join and normalise path parts, refusing what the server would refuse (``..``,
    absolute paths, backslashes) before anything is sent."""
    segments: list[str] = []
    for part in parts:
        if part:
            segments.extend(split_artifact_path(part, field))
    return "/".join(segments)


class RegistryClientMethods:
    """The registry methods of ``MlopsClient`` (a mixin; ``transport`` is the client's)."""

    transport: RegistryTransport

    # -- registered models -------------------------------------------------------------
    def create_registered_model(
        self, name: str, description: str = "", tags: Mapping[str, Any] | None = None
    ) -> RegisteredModel:
        """Create a registered model you own; AlreadyExists when the name is taken."""
        return self.transport.create_registered_model(name, description, _strings(tags))

    def get_registered_model(self, name: str) -> RegisteredModel:
        return self.transport.get_registered_model(name)

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        return self.transport.rename_registered_model(name, new_name)

    def update_registered_model(self, name: str, description: str) -> RegisteredModel:
        return self.transport.update_registered_model(name, description)

    def delete_registered_model(self, name: str) -> None:
        """Delete the model with every version (owner or admin)."""
        self.transport.delete_registered_model(name)

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[RegisteredModel]:
        """One page of models, e.g. ``filter_string="name LIKE 'churn%'"``."""
        return self.transport.search_registered_models(
            filter_string, max_results, order_by, page_token
        )

    def set_registered_model_tag(self, name: str, key: str, value: Any) -> None:
        self.transport.set_registered_model_tag(name, key, str(value))

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        self.transport.delete_registered_model_tag(name, key)

    # -- versions ----------------------------------------------------------------------
    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        description: str = "",
        tags: Mapping[str, Any] | None = None,
        run_link: str | None = None,
        model_id: str | None = None,
    ) -> ModelVersion:
        """Register ``source`` (``runs:/<run_id>/<path>``, ``models:/m-<id>`` or an
        artifact-store path) as the model's next version."""
        return self.transport.create_model_version(
            name, source, run_id, description, _strings(tags), run_link, model_id
        )

    def get_model_version(self, name: str, version: str | int) -> ModelVersion:
        return self.transport.get_model_version(name, str(version))

    def update_model_version(self, name: str, version: str | int, description: str) -> ModelVersion:
        return self.transport.update_model_version(name, str(version), description)

    def delete_model_version(self, name: str, version: str | int) -> None:
        self.transport.delete_model_version(name, str(version))

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = 1000,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[ModelVersion]:
        """One page of versions, e.g. ``filter_string="run_id = '<id>'"``."""
        return self.transport.search_model_versions(
            filter_string, max_results, order_by, page_token
        )

    def set_model_version_tag(self, name: str, version: str | int, key: str, value: Any) -> None:
        self.transport.set_model_version_tag(name, str(version), key, str(value))

    def delete_model_version_tag(self, name: str, version: str | int, key: str) -> None:
        self.transport.delete_model_version_tag(name, str(version), key)

    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        return self.transport.get_latest_versions(name, stages)

    def transition_model_version_stage(
        self, name: str, version: str | int, stage: str, archive_existing_versions: bool = False
    ) -> ModelVersion:
        return self.transport.transition_model_version_stage(
            name, str(version), stage, archive_existing_versions
        )

    # -- aliases and URIs --------------------------------------------------------------
    def set_registered_model_alias(self, name: str, alias: str, version: str | int) -> None:
        """Point ``alias`` at ``version`` (moving it from another version atomically)."""
        self.transport.set_registered_model_alias(name, alias, str(version))

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        self.transport.delete_registered_model_alias(name, alias)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        return self.transport.get_model_version_by_alias(name, alias)

    def locate_model_uri(self, uri: str) -> ModelLocation:
        """What ``models:/...`` or ``runs:/...`` names: its artifact-store folder and the
        version or logged model it came from."""
        return self.transport.locate_model_uri(uri)

    def resolve_model_uri(self, uri: str) -> str:
        """The artifact-store folder (relative to the artifact root) of a model URI."""
        return self.transport.locate_model_uri(uri).storage_location

    # -- logged models (MLflow 3) ------------------------------------------------------
    def create_logged_model(
        self,
        experiment_id: str,
        name: str,
        source_run_id: str | None = None,
        tags: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        model_type: str | None = None,
    ) -> LoggedModel:
        """A PENDING logged model; store its files under ``artifact_location``, then
        :meth:`finalize_logged_model`."""
        return self.transport.create_logged_model(
            str(experiment_id), name, source_run_id, _strings(tags), _strings(params), model_type
        )

    def get_logged_model(self, model_id: str) -> LoggedModel:
        return self.transport.get_logged_model(model_id)

    def finalize_logged_model(
        self, model_id: str, status: str = "READY", status_message: str | None = None
    ) -> LoggedModel:
        return self.transport.finalize_logged_model(model_id, status, status_message)

    def delete_logged_model(self, model_id: str) -> None:
        self.transport.delete_logged_model(model_id)

    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[LoggedModel]:
        return self.transport.search_logged_models(
            [str(e) for e in experiment_ids], filter_string, max_results, order_by, page_token
        )

    def set_logged_model_tags(self, model_id: str, tags: Mapping[str, Any]) -> None:
        self.transport.set_logged_model_tags(model_id, _strings(tags) or {})

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        self.transport.delete_logged_model_tag(model_id, key)

    def log_logged_model_params(self, model_id: str, params: Mapping[str, Any]) -> None:
        self.transport.log_logged_model_params(model_id, _strings(params) or {})

    def list_run_logged_models(
        self, run_id: str, max_results: int = 100, page_token: str | None = None
    ) -> Page[LoggedModel]:
        """One page of the logged models the run produced (its MLflow 3 model outputs:
        what ``log_model`` logged inside it), oldest first."""
        return self.transport.run_logged_models(run_id, max_results, page_token)

    # -- a logged model's files --------------------------------------------------------
    def list_logged_model_artifacts(self, model_id: str, path: str = "") -> list[FileInfo]:
        """Direct children of ``path`` in the logged model's artifact folder."""
        return self.transport.list_logged_model_artifacts(model_id, _file_path(path, field="path"))

    def log_logged_model_artifact(
        self, model_id: str, local_path: str | os.PathLike[str], artifact_path: str | None = None
    ) -> FileInfo:
        """Upload one file into the logged model's folder as ``<artifact_path>/<file name>``
        (its creator or an admin)."""
        source = Path(local_path)
        if not source.is_file():
            raise InvalidParameter(f"{str(source)!r} is not a file.", field="local_path")
        destination = _file_path(artifact_path, source.name)
        return self.transport.upload_logged_model_artifact(model_id, destination, source)

    def log_logged_model_artifacts(
        self, model_id: str, local_dir: str | os.PathLike[str], artifact_path: str | None = None
    ) -> list[FileInfo]:
        """Upload the files under ``local_dir`` (recursively) into the logged model's folder,
        below ``artifact_path`` (MLflow's ``log_model_artifacts``)."""
        root = Path(local_dir)
        if not root.is_dir():
            raise InvalidParameter(f"{str(root)!r} is not a directory.", field="local_dir")
        uploaded = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                source = Path(dirpath, name)
                destination = _file_path(artifact_path, source.relative_to(root).as_posix())
                uploaded.append(
                    self.transport.upload_logged_model_artifact(model_id, destination, source)
                )
        return uploaded

    def download_logged_model_artifacts(
        self, model_id: str, path: str = "", dst_path: str | os.PathLike[str] | None = None
    ) -> Path:
        """Download a file or folder of the logged model (``""``: all of it, into
        ``dst_path`` itself) and return its local path; ``dst_path`` defaults to a new
        temporary folder, and a named file or folder lands as ``dst_path/<name>``."""
        dst = Path(dst_path) if dst_path is not None else Path(tempfile.mkdtemp(prefix="mlops-"))
        return download_tree(
            lambda folder: self.transport.list_logged_model_artifacts(model_id, folder),
            lambda file, local: self.transport.download_logged_model_artifact(
                model_id, file, local
            ),
            _file_path(path, field="path"),
            dst,
            f"Logged model {model_id}",
        )
