"""Experiments: list, create, read, change, delete, restore, untag."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...errors import NotFound
from ...tracking.entities import ViewType
from ..serialization import experiment_json
from .base import MlopsAPIHandler


class ExperimentsHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        name = self.query_str("name")
        if name is not None:
            # Exact name (how clients look one up): the experiment whatever its stage, or none.
            try:
                found = [await self.run(self.service.get_experiment_by_name, self.caller, name)]
            except NotFound:
                found = []
            self.write_json(
                {"experiments": [experiment_json(e) for e in found], "next_page_token": None}
            )
            return
        page = await self.run(
            self.service.search_experiments,
            self.caller,
            view=self.query_str("view") or ViewType.ACTIVE_ONLY,
            name_like=self.query_str("name_like"),
            max_results=self.query_int("max_results", 100),
            page_token=self.query_str("page_token"),
        )
        self.write_json(
            {
                "experiments": [experiment_json(e) for e in page.items],
                "next_page_token": page.next_page_token,
            }
        )

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body(("name", "description", "tags"))
        experiment = await self.run(
            self.service.create_experiment,
            self.caller,
            body.get("name"),
            description=body.get("description", ""),
            tags=body.get("tags"),
        )
        self.write_json({"experiment": experiment_json(experiment)}, status=201)


class ExperimentHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self, experiment_id: str) -> None:
        experiment = await self.run(self.service.get_experiment, self.caller, experiment_id)
        self.write_json({"experiment": experiment_json(experiment)})

    @web.authenticated
    @authorized
    async def patch(self, experiment_id: str) -> None:
        body = self.json_body(("name", "description", "tags"))
        experiment = await self.run(
            self.service.update_experiment,
            self.caller,
            experiment_id,
            name=body.get("name"),
            description=body.get("description"),
            tags=body.get("tags"),
        )
        self.write_json({"experiment": experiment_json(experiment)})

    @web.authenticated
    @authorized
    async def delete(self, experiment_id: str) -> None:
        await self.run(self.service.delete_experiment, self.caller, experiment_id)
        self.write_no_content()


class ExperimentRestoreHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def post(self, experiment_id: str) -> None:
        self.json_body(())
        experiment = await self.run(self.service.restore_experiment, self.caller, experiment_id)
        self.write_json({"experiment": experiment_json(experiment)})


class ExperimentTagHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def delete(self, experiment_id: str, key: str) -> None:
        await self.run(self.service.delete_experiment_tag, self.caller, experiment_id, key)
        self.write_no_content()
