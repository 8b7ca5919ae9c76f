"""The model registry's native REST API: registered models, versions, aliases, tags,
version search, model URIs and MLflow 3 logged models with their files.

Thin handlers: parse the request, call one RegistryService method off the IO loop,
serialise with :mod:`jupyter_mlops.registry.wire`. Permissions live in the service.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...errors import InvalidParameter
from ...registry.wire import (
    logged_model_json,
    model_location_json,
    model_version_json,
    registered_model_json,
)
from ...tracking.entities import FileInfo
from .artifacts import ArtifactHandler, ArtifactListHandler
from .base import MlopsAPIHandler


class _RegistryHandler(MlopsAPIHandler):
    def paging(self, default_max: int) -> dict[str, Any]:
        return {
            "filter_string": self.query_str("filter"),
            "max_results": self.query_int("max_results", default_max),
            "order_by": self.query_list("order_by") or None,
            "page_token": self.query_str("page_token"),
        }

    def body_value(self, body: dict[str, Any], name: str) -> Any:
        if name not in body:
            raise InvalidParameter(f"{name} is required", field=name)
        return body[name]


class RegisteredModelsHandler(_RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        page = await self.run(
            self.registry.search_registered_models, self.caller, **self.paging(100)
        )
        self.write_json(
            {
                "registered_models": [registered_model_json(m) for m in page.items],
                "next_page_token": page.next_page_token,
            }
        )

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body(("name", "description", "tags"))
        model = await self.run(
            self.registry.create_registered_model,
            self.caller,
            self.body_value(body, "name"),
            description=body.get("description") or "",
            tags=body.get("tags"),
        )
        self.write_json({"registered_model": registered_model_json(model)}, status=201)


class RegisteredModelHandler(_RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        model = await self.run(self.registry.get_registered_model, self.caller, name)
        self.write_json({"registered_model": registered_model_json(model)})

    @web.authenticated
    @authorized
    async def patch(self, name: str) -> None:
        """Rename (``name``) and/or re-describe (``description``)."""
        body = self.json_body(("name", "description"))
        model = None
        if body.get("name") is not None and body["name"] != name:
            model = await self.run(
                self.registry.rename_registered_model, self.caller, name, body["name"]
            )
            name = model.name
        if body.get("description") is not None:
            model = await self.run(
                self.registry.update_registered_model, self.caller, name, body["description"]
            )
        if model is None:
            model = await self.run(self.registry.get_registered_model, self.caller, name)
        self.write_json({"registered_model": registered_model_json(model)})

    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        await self.run(self.registry.delete_registered_model, self.caller, name)
        self.write_no_content()


class RegisteredModelTagHandler(_RegistryHandler):
    @web.authenticated
    @authorized
    async def put(self, name: str, key: str) -> None:
        body = self.json_body(("value",))
        await self.run(
            self.registry.set_registered_model_tag,
            self.caller,
            name,
            key,
            self.body_value(body, "value"),
        )
        self.write_no_content()

    @web.authenticated
    @authorized
    async def delete(self, name: str, key: str) -> None:
        await self.run(self.registry.delete_registered_model_tag, self.caller, name, key)
        self.write_no_content()


class ModelVersionsHandler(_RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        """The model's versions, newest first (``stage`` narrows to the latest per stage)."""
        stages = self.query_list("stage")
        if stages:
            versions = await self.run(self.registry.get_latest_versions, self.caller, name, stages)
            self.write_json(
                {
                    "model_versions": [model_version_json(v) for v in versions],
                    "next_page_token": None,
                }
            )
            return
        await self.run(self.registry.get_registered_model, self.caller, name)  # 404 if none
        # The name travels as a quoted filter value: double its quotes.
        quoted = name.replace("'", "''")
        page = await self.run(
            self.registry.search_model_versions,
            self.caller,
            filter_string=f"name = '{quoted}'",
            max_results=self.query_int("max_results", 100),
            order_by=["version_number DESC"],
            page_token=self.query_str("page_token"),
        )
        self.write_json(
            {
                "model_versions": [model_version_json(v) for v in page.items],
                "next_page_token": page.next_page_token,
            }
        )

    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        body = self.json_body(("source", "run_id", "description", "tags", "run_link", "model_id"))
        version = await self.run(
            self.registry.create_model_version,
            self.caller,
            name,
            self.body_value(body, "source"),
            run_id=body.get("run_id"),
            description=body.get("description") or "",
            tags=body.get("tags"),
            run_link=body.get("run_link"),
            model_id=body.get("model_id"),
        )
        self.write_json({"model_version": model_version_json(version)}, status=201)


class ModelVersionHandler(_RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        found = await self.run(self.registry.get_model_version, self.caller, name, version)
        self.write_json({"model_version": model_version_json(found)})

    @web.authenticated
    @authorized
    async def patch(self, name: str, version: str) -> None:
        """Re-describe (``description``) and/or move to a ``stage`` (``archive_existing``)."""
        body = self.json_body(("description", "stage", "archive_existing"))
        if body.get("description") is not None:
            await self.run(
                self.registry.update_model_version,
                self.caller,
                name,
                version,
                body["description"],
            )
        if body.get("stage") is not None:
            await self.run(
                self.registry.transition_model_version_stage,
                self.caller,
                name,
                version,
                body["stage"],
                archive_existing=body.get("archive_existing", False),
            )
        found = await self.run(self.registry.get_model_version, self.caller, name, version)
        self.write_json({"model_version": model_version_json(found)})

    @web.authenticated
    @authorized
    async def delete(self, name: str, version: str) -> None:
        await self.run(self.registry.delete_model_version, self.caller, name, version)
        self.write_no_content()


class ModelVersionTagHandler(_RegistryHandler):
    @web.authenticated
    @authorized
    async def put(self, name: str, version: str, key: str) -> None:
        body = self.json_body(("value",))
        await self.run(
            self.registry.set_model_version_tag,
            self.caller,
            name,
            version,
            key,
            self.body_value(body, "value"),
        )
        self.write_no_content()

    @web.authenticated
    @authorized
    async def delete(self, name: str, version: str, key: str) -> None:
        await self.run(self.registry.delete_model_version_tag, self.caller, name, version, key)
        self.write_no_content()


class ModelAliasHandler(_RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str, alias: str) -> None:
        found = await self.run(self.registry.get_model_version_by_alias, self.caller, name, alias)
        self.write_json({"model_version": model_version_json(found)})

    @web.authenticated
    @authorized
    async def put(self, name: str, alias: str) -> None:
        """Point the alias at ``version`` (moving it from another version atomically)."""
        body = self.json_body(("version",))
        await self.run(
            self.registry.set_registered_model_alias,
            self.caller,
            name,
            alias,
            self.body_value(body, "version"),
        )
        found = await self.run(self.registry.get_model_version_by_alias, self.caller, name, alias)
        self.write_json({"model_version": model_version_json(found)})

    @web.authenticated
    @authorized
    async def delete(self, name: str, alias: str) -> None:
        await self.run(self.registry.delete_registered_model_alias, self.caller, name, alias)
        self.write_no_content()


class ModelVersionSearchHandler(_RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        page = await self.run(self.registry.search_model_versions, self.caller, **self.paging(1000))
        self.write_json(
            {
                "model_versions": [model_version_json(v) for v in page.items],
                "next_page_token": page.next_page_token,
            }
        )


class ModelUriHandler(_RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        """Where ``uri`` (models:/..., runs:/...) points: the artifact-root-relative folder."""
        uri = self.query_str("uri")
        if uri is None:
            raise InvalidParameter("uri is required", field="uri")
        location = await self.run(self.registry.locate_model_uri, self.caller, uri)
        self.write_json(model_location_json(location))


class ExperimentLoggedModelsHandler(_RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self, experiment_id: str) -> None:
        page = await self.run(
            self.registry.search_logged_models, self.caller, [experiment_id], **self.paging(100)
        )
        self.write_json(
            {
                "logged_models": [logged_model_json(m) for m in page.items],
                "next_page_token": page.next_page_token,
            }
        )

    @web.authenticated
    @authorized
    async def post(self, experiment_id: str) -> None:
        body = self.json_body(("name", "source_run_id", "tags", "params", "model_type"))
        model = await self.run(
            self.registry.create_logged_model,
            self.caller,
            experiment_id,
            self.body_value(body, "name"),
            source_run_id=body.get("source_run_id"),
            tags=body.get("tags"),
            params=body.get("params"),
            model_type=body.get("model_type"),
        )
        self.write_json({"logged_model": logged_model_json(model)}, status=201)


class RunLoggedModelsHandler(_RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        """The logged models the run produced (its MLflow 3 outputs), oldest first."""
        page = await self.run(
            self.registry.run_logged_models,
            self.caller,
            run_id,
            max_results=self.query_int("max_results", 100),
            page_token=self.query_str("page_token"),
        )
        self.write_json(
            {
                "logged_models": [logged_model_json(m) for m in page.items],
                "next_page_token": page.next_page_token,
            }
        )


class LoggedModelHandler(_RegistryHandler):
    @web.authenticated
    @authorized
    async def get(self, model_id: str) -> None:
        model = await self.run(self.registry.get_logged_model, self.caller, model_id)
        self.write_json({"logged_model": logged_model_json(model)})

    @web.authenticated
    @authorized
    async def patch(self, model_id: str) -> None:
        """Finalize: ``status`` READY or FAILED (with a ``status_message``)."""
        body = self.json_body(("status", "status_message"))
        model = await self.run(
            self.registry.finalize_logged_model,
            self.caller,
            model_id,
            self.body_value(body, "status"),
            body.get("status_message"),
        )
        self.write_json({"logged_model": logged_model_json(model)})

    @web.authenticated
    @authorized
    async def delete(self, model_id: str) -> None:
        await self.run(self.registry.delete_logged_model, self.caller, model_id)
        self.write_no_content()


class LoggedModelTagHandler(_RegistryHandler):
    @web.authenticated
    @authorized
    async def put(self, model_id: str, key: str) -> None:
        body = self.json_body(("value",))
        value = self.body_value(body, "value")
        await self.run(self.registry.set_logged_model_tags, self.caller, model_id, {key: value})
        self.write_no_content()

    @web.authenticated
    @authorized
    async def delete(self, model_id: str, key: str) -> None:
        await self.run(self.registry.delete_logged_model_tag, self.caller, model_id, key)
        self.write_no_content()


class LoggedModelParamsHandler(_RegistryHandler):
    @web.authenticated
    @authorized
    async def post(self, model_id: str) -> None:
        body = self.json_body(("params",))
        await self.run(
            self.registry.log_logged_model_params,
            self.caller,
            model_id,
            self.body_value(body, "params"),
        )
        self.write_no_content()


class LoggedModelArtifactListHandler(ArtifactListHandler):
    """``GET logged-models/{model_id}/artifacts?path=``: one folder of the model's files."""

    @web.authenticated
    @authorized
    async def get(self, model_id: str) -> None:
        await self.write_listing(model_id)

    def list_files(self, owner: str, path: str) -> list[FileInfo]:
        return self.registry.list_logged_model_artifacts(self.caller, owner, path)


class LoggedModelArtifactHandler(ArtifactHandler):
    """``GET``/``PUT logged-models/{model_id}/artifacts/{path}``: one of the model's files,
    streamed both ways exactly as a run's (same size limit, same checks before the body)."""

    owner_argument = "model_id"

    def file_to_read(self, owner: str, path: str) -> Path:
        return self.registry.logged_model_artifact_file(self.caller, owner, path)

    def check_write(self, owner: str, path: str) -> object:
        return self.registry.check_logged_model_artifact_write(self.caller, owner, path)

    def write_file(self, owner: str, path: str, source: BinaryIO) -> FileInfo:
        return self.registry.write_logged_model_artifact(self.caller, owner, path, source)

    @web.authenticated
    @authorized
    async def get(self, model_id: str, path: str) -> None:
        await self.stream_download(model_id, path)

    @web.authenticated
    @authorized
    async def put(self, model_id: str, path: str) -> None:
        await self.store_upload(model_id, path)
