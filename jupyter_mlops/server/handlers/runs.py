"""Runs: search, count, create, read, update, delete, restore, log, inputs, untag, metric
history."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...tracking.entities import Page, Run, ViewType
from ...tracking.store.gcpause import gc_paused
from ..serialization import (
    HISTORY_BINARY_TYPE,
    dataset_inputs_from_json,
    metric_history_binary,
    metric_history_text,
    metrics_from_json,
    model_ids_from_json,
    run_json,
)
from .base import MlopsAPIHandler

_SEARCH_FIELDS = ("experiment_ids", "filter", "order_by", "view", "max_results", "page_token")


def _page_json(page: Page[Run]) -> dict[str, Any]:
    return {"runs": [run_json(r) for r in page.items], "next_page_token": page.next_page_token}


class RunsHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        page = await self.run(
            self.service.search_runs,
            self.caller,
            experiment_ids=self.query_list("experiment_ids"),
            filter_string=self.query_str("filter"),
            view=self.query_str("view") or ViewType.ACTIVE_ONLY,
            max_results=self.query_int("max_results", 100),
            order_by=self.query_list("order_by") or None,
            page_token=self.query_str("page_token"),
        )
        self.write_json(_page_json(page))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body(("experiment_id", "run_name", "start_time", "tags", "parent_run_id"))
        run = await self.run(
            self.service.create_run,
            self.caller,
            experiment_id=body.get("experiment_id", "0"),
            run_name=body.get("run_name"),
            start_time=body.get("start_time"),
            tags=body.get("tags"),
            parent_run_id=body.get("parent_run_id"),
        )
        self.write_json({"run": run_json(run)}, status=201)


class RunSearchHandler(MlopsAPIHandler):
    """The same search as ``GET runs``, for filters too long for a URL."""

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body(_SEARCH_FIELDS)
        page = await self.run(
            self.service.search_runs,
            self.caller,
            experiment_ids=body.get("experiment_ids", []),
            filter_string=body.get("filter"),
            view=body.get("view", ViewType.ACTIVE_ONLY),
            max_results=body.get("max_results", 100),
            order_by=body.get("order_by"),
            page_token=body.get("page_token"),
        )
        self.write_json(_page_json(page))


class RunCountHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        count = await self.run(
            self.service.count_runs,
            self.caller,
            experiment_ids=self.query_list("experiment_ids"),
            filter_string=self.query_str("filter"),
            view=self.query_str("view") or ViewType.ACTIVE_ONLY,
        )
        self.write_json({"count": count})


class RunHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        run = await self.run(self.service.get_run, self.caller, run_id)
        self.write_json({"run": run_json(run)})

    @web.authenticated
    @authorized
    async def patch(self, run_id: str) -> None:
        body = self.json_body(("status", "end_time", "run_name"))
        run = await self.run(
            self.service.update_run,
            self.caller,
            run_id,
            status=body.get("status"),
            end_time=body.get("end_time"),
            run_name=body.get("run_name"),
        )
        self.write_json({"run": run_json(run)})

    @web.authenticated
    @authorized
    async def delete(self, run_id: str) -> None:
        await self.run(self.service.delete_run, self.caller, run_id)
        self.write_no_content()


class RunRestoreHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        self.json_body(())
        run = await self.run(self.service.restore_run, self.caller, run_id)
        self.write_json({"run": run_json(run)})


class RunBatchHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        body = self.json_body(("metrics", "params", "tags"))
        await self.run(
            self.service.log_batch,
            self.caller,
            run_id,
            metrics=metrics_from_json(body.get("metrics")),
            params=body.get("params"),
            tags=body.get("tags"),
        )
        self.write_no_content()


class RunInputsHandler(MlopsAPIHandler):
    """Record datasets and logged models the run used (a finished run takes them too)."""

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        body = self.json_body(("datasets", "models"))
        await self.run(
            self.service.log_inputs,
            self.caller,
            run_id,
            datasets=dataset_inputs_from_json(body.get("datasets")),
            model_ids=model_ids_from_json(body.get("models")),
        )
        self.write_no_content()


class RunTagHandler(MlopsAPIHandler):
    @web.authenticated
    @authorized
    async def delete(self, run_id: str, key: str) -> None:
        await self.run(self.service.delete_run_tag, self.caller, run_id, key)
        self.write_no_content()


class MetricHistoryHandler(MlopsAPIHandler):
    _packed = False

    @web.authenticated
    @authorized
    async def get(self, run_id: str, key: str) -> None:
        points = await self.run(
            self.service.get_metric_history,
            self.caller,
            run_id,
            key,
            max_points=self.query_optional_int("max_points"),
        )
        # A long history's answer is hundreds of thousands of short-lived objects that
        # cannot form cycles: no point in letting the collector walk the server's heap.
        with gc_paused():
            packed = None
            if HISTORY_BINARY_TYPE in self.request.headers.get("Accept", ""):
                packed = metric_history_binary(points)
            text = metric_history_text(key, points) if packed is None else ""
        if packed is not None:
            self._packed = True
            self.finish(packed, set_content_type=HISTORY_BINARY_TYPE)
        else:
            self.write_json_text(text)

    def compute_etag(self) -> str | None:
        # Only the Python client asks for packed histories, and it never revalidates: a
        # SHA-1 over megabytes would be spent for nothing.
        return None if self._packed else super().compute_etag()
