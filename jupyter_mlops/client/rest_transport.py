"""The REST transport: the native API of a jupyter-mlops server, over the one session.

Every tracking and registry call that is one declared operation is made by the views
(``service_views.RestView``) from its declaration; what is written here is only what a
declaration cannot say: the experiment lookup by name, metric batches written as text,
packed metric histories and streamed artifact files.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..errors import NotFound
from ..server.serialization import HISTORY_BINARY_TYPE
from ..tracking.entities import Experiment, FileInfo, Metric, MetricBucket
from ..tracking.store.gcpause import gc_paused
from .registry import RegistryTransport, registry_rest_view
from .rest_session import RestSession, segment
from .service_views import RestView
from .wire import (
    history_from_binary,
    history_from_json,
    metrics_to_json_text,
)

# Full histories packed (a 100,000-point one parses in a fraction of its JSON's time);
# JSON from servers that do not offer it, and for downsampled histories.
_HISTORY_ACCEPT = {"Accept": f"{HISTORY_BINARY_TYPE}, application/json;q=0.9"}


class RestTransport:
    """A ``TrackingTransport`` speaking to ``{base_url}mlops/api/`` with a jupyter token."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 120.0,
    ) -> None:
        self.session = RestSession(
            base_url, token, connect_timeout=connect_timeout, read_timeout=read_timeout
        )
        self.base_url = self.session.base_url
        # Imported here: transport.py imports this module's siblings.
        from .transport import TrackingTransport

        self._tracking = RestView(self.session, TrackingTransport, ("tracking",))
        self._registry = registry_rest_view(self.session)

    def __getattr__(self, name: str) -> Any:
        """The declared operations: ``create_run``, ``search_runs``, ``get_experiment``,
        ``create_registered_model``..."""
        if name.startswith("_"):
            raise AttributeError(name)
        view = self._registry if hasattr(RegistryTransport, name) else self._tracking
        return getattr(view, name)

    # -- what a declaration cannot say -----------------------------------------------------
    def get_experiment_by_name(self, name: str) -> Experiment:
        page = self.session.call("searchExperiments", {"name": name, "view": "ALL"})
        if not page.items:
            raise NotFound(f"No experiment named {name!r}.", field="name")
        experiment: Experiment = page.items[0]
        return experiment

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        # Written as text: a 1,000-point batch is formatted directly (metrics_to_json_text)
        # rather than as 1,000 dicts handed to json.dumps.
        members: list[str] = []
        if metrics:
            members.append(f'"metrics":{metrics_to_json_text(metrics)}')
        if params:
            members.append(f'"params":{json.dumps(dict(params))}')
        if tags:
            members.append(f'"tags":{json.dumps(dict(tags))}')
        self.session.json(
            "POST", f"runs/{segment(run_id)}/batch", json_text="{" + ",".join(members) + "}"
        )

    def get_metric_history(
        self, run_id: str, key: str, max_points: int | None = None
    ) -> list[Metric] | list[MetricBucket]:
        params = None if max_points is None else {"max_points": max_points}
        response = self.session.request(
            "GET",
            f"runs/{segment(run_id)}/metrics/{segment(key)}",
            params=params,
            headers=_HISTORY_ACCEPT,
        )
        # 100,000 points are some 400,000 new objects, none in a cycle: without the pause,
        # the collector would walk the whole (in a notebook, large) heap several times.
        with gc_paused():
            if response.headers.get("Content-Type", "").startswith(HISTORY_BINARY_TYPE):
                return history_from_binary(key, response.content)
            return history_from_json(json.loads(response.content))

    # -- artifacts -----------------------------------------------------------------------
    def _artifact_route(self, run_id: str, path: str) -> str:
        return f"runs/{segment(run_id)}/artifacts/{quote(path.lstrip('/'), safe='/')}"

    def upload_artifact(self, run_id: str, path: str, local_file: Path) -> FileInfo:
        return self.session.upload_file(self._artifact_route(run_id, path), local_file)

    def download_artifact(self, run_id: str, path: str, local_file: Path) -> None:
        self.session.download_file(self._artifact_route(run_id, path), local_file)

    def close(self) -> None:
        self.session.close()
