"""Model-registry calls of the client: the transport interface, its two implementations
(mixed into ``StoreTransport`` and ``RestTransport``) and the ``MlopsClient`` methods.

Kept apart from the tracking transports so that each file keeps one job; the classes
below are mixins that rely on what their host class already has (``_service``/``_user``
for the store transport, ``_json`` for REST, ``transport`` for the client).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from ..errors import InvalidParameter
from ..registry import wire
from ..registry.entities import (
    LoggedModel,
    ModelLocation,
    ModelVersion,
    RegisteredModel,
)
from ..tracking.artifacts import split_artifact_path
from ..tracking.entities import FileInfo, Page
from .downloads import download_tree
from .wire import file_info_from_json

if TYPE_CHECKING:
    from ..registry.service import RegistryService
    from ..tracking.service import TrackingService


def _segment(value: str | int) -> str:
    return quote(str(value), safe="")


class RegistryTransport(Protocol):
    """The registry half of a transport: ``RegistryService`` without the ``user``."""

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

    def list_run_logged_models(
        self, run_id: str, max_results: int = 100, page_token: str | None = None
    ) -> Page[LoggedModel]: ...

    # -- a logged model's files ("/"-separated paths inside its artifact folder) ---------
    def list_logged_model_artifacts(self, model_id: str, path: str = "") -> list[FileInfo]: ...

    def upload_logged_model_artifact(self, model_id: str, path: str, local_file: Path) -> FileInfo:
        """Store ``local_file`` as the model's file at ``path`` (creator or admin)."""

    def download_logged_model_artifact(self, model_id: str, path: str, local_file: Path) -> None:
        """Write the model's file at ``path`` to ``local_file``."""


class StoreRegistryMethods:
    """Registry calls on the database in this process (mixed into ``StoreTransport``)."""

    _service: TrackingService
    _user: str
    _registry_service: RegistryService | None = None

    @property
    def _registry(self) -> RegistryService:
        # Built on first use: tracking-only clients never pay for the registry's store.
        if self._registry_service is None:
            from ..registry.service import RegistryService
            from ..registry.store import SqlRegistryStore

            database = self._service.store.database  # type: ignore[attr-defined]
            self._registry_service = RegistryService(SqlRegistryStore(database), self._service)
        return self._registry_service

    def create_registered_model(
        self, name: str, description: str = "", tags: Mapping[str, str] | None = None
    ) -> RegisteredModel:
        return self._registry.create_registered_model(self._user, name, description, tags)

    def get_registered_model(self, name: str) -> RegisteredModel:
        return self._registry.get_registered_model(self._user, name)

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        return self._registry.rename_registered_model(self._user, name, new_name)

    def update_registered_model(self, name: str, description: str) -> RegisteredModel:
        return self._registry.update_registered_model(self._user, name, description)

    def delete_registered_model(self, name: str) -> None:
        self._registry.delete_registered_model(self._user, name)

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[RegisteredModel]:
        return self._registry.search_registered_models(
            self._user, filter_string, max_results, order_by, page_token
        )

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        self._registry.set_registered_model_tag(self._user, name, key, value)

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        self._registry.delete_registered_model_tag(self._user, name, key)

    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        description: str = "",
        tags: Mapping[str, str] | None = None,
        run_link: str | None = None,
        model_id: str | None = None,
    ) -> ModelVersion:
        return self._registry.create_model_version(
            self._user, name, source, run_id, description, tags, run_link, model_id
        )

    def get_model_version(self, name: str, version: str) -> ModelVersion:
        return self._registry.get_model_version(self._user, name, version)

    def update_model_version(self, name: str, version: str, description: str) -> ModelVersion:
        return self._registry.update_model_version(self._user, name, version, description)

    def delete_model_version(self, name: str, version: str) -> None:
        self._registry.delete_model_version(self._user, name, version)

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = 1000,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[ModelVersion]:
        return self._registry.search_model_versions(
            self._user, filter_string, max_results, order_by, page_token
        )

    def set_model_version_tag(self, name: str, version: str, key: str, value: str) -> None:
        self._registry.set_model_version_tag(self._user, name, version, key, value)

    def delete_model_version_tag(self, name: str, version: str, key: str) -> None:
        self._registry.delete_model_version_tag(self._user, name, version, key)

    def set_registered_model_alias(self, name: str, alias: str, version: str) -> None:
        self._registry.set_registered_model_alias(self._user, name, alias, version)

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        self._registry.delete_registered_model_alias(self._user, name, alias)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        return self._registry.get_model_version_by_alias(self._user, name, alias)

    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        return self._registry.get_latest_versions(self._user, name, stages)

    def transition_model_version_stage(
        self, name: str, version: str, stage: str, archive_existing: bool = False
    ) -> ModelVersion:
        return self._registry.transition_model_version_stage(
            self._user, name, version, stage, archive_existing
        )

    def locate_model_uri(self, uri: str) -> ModelLocation:
        return self._registry.locate_model_uri(self._user, uri)

    def create_logged_model(
        self,
        experiment_id: str,
        name: str,
        source_run_id: str | None = None,
        tags: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        model_type: str | None = None,
    ) -> LoggedModel:
        return self._registry.create_logged_model(
            self._user, experiment_id, name, source_run_id, tags, params, model_type
        )

    def get_logged_model(self, model_id: str) -> LoggedModel:
        return self._registry.get_logged_model(self._user, model_id)

    def finalize_logged_model(
        self, model_id: str, status: str, status_message: str | None = None
    ) -> LoggedModel:
        return self._registry.finalize_logged_model(self._user, model_id, status, status_message)

    def delete_logged_model(self, model_id: str) -> None:
        self._registry.delete_logged_model(self._user, model_id)

    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[LoggedModel]:
        return self._registry.search_logged_models(
            self._user, experiment_ids, filter_string, max_results, order_by, page_token
        )

    def set_logged_model_tags(self, model_id: str, tags: Mapping[str, str]) -> None:
        self._registry.set_logged_model_tags(self._user, model_id, tags)

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        self._registry.delete_logged_model_tag(self._user, model_id, key)

    def log_logged_model_params(self, model_id: str, params: Mapping[str, str]) -> None:
        self._registry.log_logged_model_params(self._user, model_id, params)

    def list_run_logged_models(
        self, run_id: str, max_results: int = 100, page_token: str | None = None
    ) -> Page[LoggedModel]:
        return self._registry.run_logged_models(self._user, run_id, max_results, page_token)

    def list_logged_model_artifacts(self, model_id: str, path: str = "") -> list[FileInfo]:
        return self._registry.list_logged_model_artifacts(self._user, model_id, path)

    def upload_logged_model_artifact(self, model_id: str, path: str, local_file: Path) -> FileInfo:
        with open(local_file, "rb") as source:
            return self._registry.write_logged_model_artifact(self._user, model_id, path, source)

    def download_logged_model_artifact(self, model_id: str, path: str, local_file: Path) -> None:
        found = self._registry.logged_model_artifact_file(self._user, model_id, path)
        shutil.copyfile(found, local_file)


def _search_params(
    filter_string: str | None,
    max_results: int,
    order_by: Sequence[str] | None,
    page_token: str | None,
) -> list[tuple[str, Any]]:
    params: list[tuple[str, Any]] = [("max_results", max_results)]
    if filter_string:
        params.append(("filter", filter_string))
    params += [("order_by", item) for item in order_by or ()]
    if page_token:
        params.append(("page_token", page_token))
    return params


class RestRegistryMethods:
    """Registry calls over ``{base_url}mlops/api/`` (mixed into ``RestTransport``)."""

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        raise NotImplementedError  # RestTransport provides it

    def _upload_file(self, route: str, local_file: Path) -> FileInfo:
        raise NotImplementedError  # RestTransport provides it

    def _download_file(self, route: str, local_file: Path) -> None:
        raise NotImplementedError  # RestTransport provides it

    @staticmethod
    def _model(name: str) -> str:
        return f"registered-models/{_segment(name)}"

    def _version(self, name: str, version: str) -> str:
        return f"{self._model(name)}/versions/{_segment(version)}"

    def create_registered_model(
        self, name: str, description: str = "", tags: Mapping[str, str] | None = None
    ) -> RegisteredModel:
        body = {"name": name, "description": description, "tags": dict(tags or {})}
        data = self._json("POST", "registered-models", body=body)
        return wire.registered_model_from_json(data["registered_model"])

    def get_registered_model(self, name: str) -> RegisteredModel:
        data = self._json("GET", self._model(name))
        return wire.registered_model_from_json(data["registered_model"])

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        data = self._json("PATCH", self._model(name), body={"name": new_name})
        return wire.registered_model_from_json(data["registered_model"])

    def update_registered_model(self, name: str, description: str) -> RegisteredModel:
        data = self._json("PATCH", self._model(name), body={"description": description})
        return wire.registered_model_from_json(data["registered_model"])

    def delete_registered_model(self, name: str) -> None:
        self._json("DELETE", self._model(name))

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[RegisteredModel]:
        params = _search_params(filter_string, max_results, order_by, page_token)
        data = self._json("GET", "registered-models", params=params)
        models = [wire.registered_model_from_json(m) for m in data["registered_models"]]
        return Page(models, data.get("next_page_token"))

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        self._json("PUT", f"{self._model(name)}/tags/{_segment(key)}", body={"value": value})

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        self._json("DELETE", f"{self._model(name)}/tags/{_segment(key)}")

    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        description: str = "",
        tags: Mapping[str, str] | None = None,
        run_link: str | None = None,
        model_id: str | None = None,
    ) -> ModelVersion:
        body = {
            "source": source,
            "run_id": run_id,
            "description": description,
            "tags": dict(tags or {}),
            "run_link": run_link,
            "model_id": model_id,
        }
        data = self._json("POST", f"{self._model(name)}/versions", body=body)
        return wire.model_version_from_json(data["model_version"])

    def get_model_version(self, name: str, version: str) -> ModelVersion:
        data = self._json("GET", self._version(name, version))
        return wire.model_version_from_json(data["model_version"])

    def update_model_version(self, name: str, version: str, description: str) -> ModelVersion:
        data = self._json("PATCH", self._version(name, version), body={"description": description})
        return wire.model_version_from_json(data["model_version"])

    def delete_model_version(self, name: str, version: str) -> None:
        self._json("DELETE", self._version(name, version))

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = 1000,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[ModelVersion]:
        params = _search_params(filter_string, max_results, order_by, page_token)
        data = self._json("GET", "model-versions/search", params=params)
        versions = [wire.model_version_from_json(v) for v in data["model_versions"]]
        return Page(versions, data.get("next_page_token"))

    def set_model_version_tag(self, name: str, version: str, key: str, value: str) -> None:
        path = f"{self._version(name, version)}/tags/{_segment(key)}"
        self._json("PUT", path, body={"value": value})

    def delete_model_version_tag(self, name: str, version: str, key: str) -> None:
        self._json("DELETE", f"{self._version(name, version)}/tags/{_segment(key)}")

    def set_registered_model_alias(self, name: str, alias: str, version: str) -> None:
        path = f"{self._model(name)}/aliases/{_segment(alias)}"
        self._json("PUT", path, body={"version": str(version)})

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        self._json("DELETE", f"{self._model(name)}/aliases/{_segment(alias)}")

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        data = self._json("GET", f"{self._model(name)}/aliases/{_segment(alias)}")
        return wire.model_version_from_json(data["model_version"])

    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        wanted = list(stages or ["None", "Staging", "Production", "Archived"])
        data = self._json(
            "GET", f"{self._model(name)}/versions", params=[("stage", s) for s in wanted]
        )
        return [wire.model_version_from_json(v) for v in data["model_versions"]]

    def transition_model_version_stage(
        self, name: str, version: str, stage: str, archive_existing: bool = False
    ) -> ModelVersion:
        body = {"stage": stage, "archive_existing": archive_existing}
        data = self._json("PATCH", self._version(name, version), body=body)
        return wire.model_version_from_json(data["model_version"])

    def locate_model_uri(self, uri: str) -> ModelLocation:
        data = self._json("GET", "model-uris/resolve", params={"uri": uri})
        return wire.model_location_from_json(data)

    def create_logged_model(
        self,
        experiment_id: str,
        name: str,
        source_run_id: str | None = None,
        tags: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        model_type: str | None = None,
    ) -> LoggedModel:
        body = {
            "name": name,
            "source_run_id": source_run_id,
            "tags": dict(tags or {}),
            "params": dict(params or {}),
            "model_type": model_type,
        }
        data = self._json("POST", f"experiments/{_segment(experiment_id)}/logged-models", body=body)
        return wire.logged_model_from_json(data["logged_model"])

    def get_logged_model(self, model_id: str) -> LoggedModel:
        data = self._json("GET", f"logged-models/{_segment(model_id)}")
        return wire.logged_model_from_json(data["logged_model"])

    def finalize_logged_model(
        self, model_id: str, status: str, status_message: str | None = None
    ) -> LoggedModel:
        body = {"status": status, "status_message": status_message}
        data = self._json("PATCH", f"logged-models/{_segment(model_id)}", body=body)
        return wire.logged_model_from_json(data["logged_model"])

    def delete_logged_model(self, model_id: str) -> None:
        self._json("DELETE", f"logged-models/{_segment(model_id)}")

    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[LoggedModel]:
        if len(experiment_ids) != 1:
            from ..errors import InvalidParameter

            raise InvalidParameter(
                "over REST, search the logged models of one experiment at a time",
                field="experiment_ids",
            )
        params = _search_params(filter_string, max_results, order_by, page_token)
        path = f"experiments/{_segment(experiment_ids[0])}/logged-models"
        data = self._json("GET", path, params=params)
        models = [wire.logged_model_from_json(m) for m in data["logged_models"]]
        return Page(models, data.get("next_page_token"))

    def set_logged_model_tags(self, model_id: str, tags: Mapping[str, str]) -> None:
        for key, value in tags.items():
            path = f"logged-models/{_segment(model_id)}/tags/{_segment(key)}"
            self._json("PUT", path, body={"value": value})

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        self._json("DELETE", f"logged-models/{_segment(model_id)}/tags/{_segment(key)}")

    def log_logged_model_params(self, model_id: str, params: Mapping[str, str]) -> None:
        path = f"logged-models/{_segment(model_id)}/params"
        self._json("POST", path, body={"params": dict(params)})

    def list_run_logged_models(
        self, run_id: str, max_results: int = 100, page_token: str | None = None
    ) -> Page[LoggedModel]:
        params = _search_params(None, max_results, None, page_token)
        data = self._json("GET", f"runs/{_segment(run_id)}/logged-models", params=params)
        models = [wire.logged_model_from_json(m) for m in data["logged_models"]]
        return Page(models, data.get("next_page_token"))

    def list_logged_model_artifacts(self, model_id: str, path: str = "") -> list[FileInfo]:
        params = {"path": path} if path else None
        data = self._json("GET", f"logged-models/{_segment(model_id)}/artifacts", params=params)
        return [file_info_from_json(f) for f in data["files"]]

    @staticmethod
    def _logged_model_file(model_id: str, path: str) -> str:
        return f"logged-models/{_segment(model_id)}/artifacts/{quote(path.lstrip('/'), safe='/')}"

    def upload_logged_model_artifact(self, model_id: str, path: str, local_file: Path) -> FileInfo:
        return self._upload_file(self._logged_model_file(model_id, path), local_file)

    def download_logged_model_artifact(self, model_id: str, path: str, local_file: Path) -> None:
        self._download_file(self._logged_model_file(model_id, path), local_file)


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
        return self.transport.list_run_logged_models(run_id, max_results, page_token)

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
