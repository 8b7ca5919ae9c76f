"""A run's metric history: JSON, or packed binary for the Python client.

The other run operations are served from their declarations (``OperationHandler``); this
one keeps a class for its content negotiation and its ETag rule.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ...tracking.store.gcpause import gc_paused
from ..serialization import HISTORY_BINARY_TYPE, metric_history_binary, metric_history_text
from .base import MlopsAPIHandler


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
