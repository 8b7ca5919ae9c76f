"""Pipelines over REST: runs (submit, list, get with steps, cancel, retry, step logs),
saved pipelines (and compiling a pipeline file), and schedules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...errors import InvalidParameter, NotFound
from .base import MlopsAPIHandler

_SUBMIT_FIELDS = ("spec", "arguments", "backend", "experiment", "pipeline_id")
_SCHEDULE_FIELDS = (
    "spec",
    "pipeline_id",
    "cron",
    "arguments",
    "backend",
    "policy",
    "name",
    "experiment",
    "enabled",
)


class _PipelineHandler(MlopsAPIHandler):
    async def _spec(self, body: dict[str, Any]) -> Any:
        """The spec of a request: given inline, or a saved pipeline's."""
        if "spec" in body and "pipeline_id" in body:
            raise InvalidParameter("give spec or pipeline_id, not both", field="spec")
        if "pipeline_id" in body:
            pipeline = await self.run(
                self.pipelines.get_pipeline, self.caller, str(body["pipeline_id"])
            )
            return pipeline.spec
        if "spec" not in body:
            raise InvalidParameter("spec (or pipeline_id) is required", field="spec")
        return body["spec"]


class PipelineRunsHandler(_PipelineHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        runs, token = await self.run(
            self.pipelines.list_runs,
            self.caller,
            name=self.query_str("name"),
            state=self.query_str("state"),
            schedule_id=self.query_str("schedule_id"),
            max_results=self.query_int("max_results", 50),
            page_token=self.query_str("page_token"),
        )
        self.write_json(
            {"runs": [run.to_dict(with_spec=False) for run in runs], "next_page_token": token}
        )

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body(_SUBMIT_FIELDS)
        spec = await self._spec(body)
        arguments = body.get("arguments", {})
        if not isinstance(arguments, dict):
            raise InvalidParameter("arguments must be a JSON object", field="arguments")
        for key in ("backend", "experiment"):
            if key in body and body[key] is not None and not isinstance(body[key], str):
                raise InvalidParameter(f"{key} must be a string", field=key)
        run = await self.run(
            self.pipelines.submit,
            self.caller,
            spec,
            arguments,
            backend=body.get("backend"),
            experiment=body.get("experiment"),
        )
        self.write_json({"run": run.to_dict()}, status=201)


class PipelineRunHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        run = await self.run(self.pipelines.get_run, self.caller, run_id)
        self.write_json({"run": run.to_dict()})


class PipelineRunCancelHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        self.json_body(())
        run = await self.run(self.pipelines.cancel, self.caller, run_id)
        self.write_json({"run": run.to_dict()})


class PipelineRunRetryHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        self.json_body(())
        run = await self.run(self.pipelines.retry, self.caller, run_id)
        self.write_json({"run": run.to_dict()})


class PipelineStepLogsHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str, step_id: str) -> None:
        chunk = await self.run(
            self.pipelines.step_logs, self.caller, run_id, step_id, self.query_int("since", 0)
        )
        self.write_json(chunk)


class PipelinesHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        pipelines = await self.run(self.pipelines.list_pipelines, self.caller)
        self.write_json({"pipelines": [p.to_dict(with_spec=False) for p in pipelines]})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body(("spec",))
        if "spec" not in body:
            raise InvalidParameter("spec is required", field="spec")
        pipeline = await self.run(self.pipelines.save_pipeline, self.caller, body["spec"])
        self.write_json({"pipeline": pipeline.to_dict()}, status=201)


class PipelineHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self, pipeline_id: str) -> None:
        pipeline = await self.run(self.pipelines.get_pipeline, self.caller, pipeline_id)
        self.write_json({"pipeline": pipeline.to_dict()})

    @web.authenticated
    @authorized
    async def delete(self, pipeline_id: str) -> None:
        await self.run(self.pipelines.delete_pipeline, self.caller, pipeline_id)
        self.write_no_content()


class PipelineCompileHandler(MlopsAPIHandler):
    """Compile the pipelines of a ``.py`` file or notebook under the server's root
    folder (in a subprocess) and save them, so that the panel can offer their forms."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body(("path",))
        relative = body.get("path")
        if not isinstance(relative, str) or not relative.strip():
            raise InvalidParameter("path must name a .py or .ipynb file", field="path")
        path = self._confined(relative)
        from ...pipelines.dsl.loader import compile_file

        # Loading the file runs its code: as the caller, never as this server.
        policy = self.process_policy
        account = await self.run(policy.account_for, self.caller, backend="pipeline compile")
        specs = await self.run(compile_file, path, policy, account)
        if not specs:
            raise InvalidParameter(f"{relative} defines no @pipeline", field="path")
        saved = []
        for spec in specs:
            saved.append(await self.run(self.pipelines.save_pipeline, self.caller, spec, relative))
        self.write_json({"pipelines": [p.to_dict() for p in saved]}, status=201)

    def _confined(self, relative: str) -> Path:
        root = Path(self.settings["server_root_dir"]).expanduser().resolve()
        candidate = (root / relative.lstrip("/")).resolve()
        if root != candidate and root not in candidate.parents:
            raise InvalidParameter("path leads outside the server's root folder", field="path")
        if candidate.suffix not in (".py", ".ipynb"):
            raise InvalidParameter("path must name a .py or .ipynb file", field="path")
        if not candidate.is_file():
            raise NotFound(f"No file {relative!r}", field="path")
        return candidate


class SchedulesHandler(_PipelineHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        schedules = await self.run(self.pipelines.list_schedules, self.caller)
        self.write_json({"schedules": [schedule.to_dict() for schedule in schedules]})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body(_SCHEDULE_FIELDS)
        spec = await self._spec(body)
        if not isinstance(body.get("cron"), str):
            raise InvalidParameter("cron is required (e.g. '0 * * * *')", field="cron")
        if not isinstance(body.get("arguments", {}), dict):
            raise InvalidParameter("arguments must be a JSON object", field="arguments")
        if not isinstance(body.get("enabled", True), bool):
            raise InvalidParameter("enabled must be true or false", field="enabled")
        for key in ("backend", "policy", "name", "experiment"):
            if key in body and not isinstance(body[key], str):
                raise InvalidParameter(f"{key} must be a string", field=key)
        schedule = await self.run(
            self.pipelines.create_schedule,
            self.caller,
            spec,
            body["cron"],
            arguments=body.get("arguments"),
            backend=body.get("backend"),
            policy=body.get("policy", "skip"),
            name=body.get("name"),
            experiment=body.get("experiment"),
            enabled=body.get("enabled", True),
        )
        self.write_json({"schedule": schedule.to_dict()}, status=201)


class ScheduleHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self, schedule_id: str) -> None:
        schedule = await self.run(self.pipelines.get_schedule, self.caller, schedule_id)
        self.write_json({"schedule": schedule.to_dict()})

    @web.authenticated
    @authorized
    async def patch(self, schedule_id: str) -> None:
        body = self.json_body(("enabled", "cron"))
        if "enabled" in body and not isinstance(body["enabled"], bool):
            raise InvalidParameter("enabled must be true or false", field="enabled")
        if "cron" in body and not isinstance(body["cron"], str):
            raise InvalidParameter("cron must be a string", field="cron")
        schedule = await self.run(
            self.pipelines.update_schedule,
            self.caller,
            schedule_id,
            enabled=body.get("enabled"),
            cron=body.get("cron"),
        )
        self.write_json({"schedule": schedule.to_dict()})

    @web.authenticated
    @authorized
    async def delete(self, schedule_id: str) -> None:
        await self.run(self.pipelines.delete_schedule, self.caller, schedule_id)
        self.write_no_content()
