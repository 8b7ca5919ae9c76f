"""The REST transport: the native API of a jupyter-mlops server, over one pooled session.

Safe retries only: connection failures (the request never reached the server) and
502/503/504 from a proxy for idempotent methods. A POST that may have been applied
(log_batch appends metrics) is never sent twice.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..errors import NotFound
from ..server.serialization import HISTORY_BINARY_TYPE
from ..tracking.entities import (
    DatasetInput,
    Experiment,
    FileInfo,
    Metric,
    MetricBucket,
    Page,
    Run,
    RunStatus,
    ViewType,
)
from ..tracking.store.gcpause import gc_paused
from .registry import RestRegistryMethods
from .wire import (
    dataset_inputs_to_json,
    error_from_response,
    experiment_from_json,
    file_info_from_json,
    history_from_binary,
    history_from_json,
    metrics_to_json_text,
    run_from_json,
)

# Full histories packed (a 100,000-point one parses in a fraction of its JSON's time);
# JSON from servers that do not offer it, and for downsampled histories.
_HISTORY_ACCEPT = {"Accept": f"{HISTORY_BINARY_TYPE}, application/json;q=0.9"}

_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_CHUNK_SIZE = 1 << 20


def _retry_policy() -> Retry:
    return Retry(
        total=4,
        connect=3,
        read=0,  # the server may have acted on the request: do not repeat it
        status=3,
        other=0,
        status_forcelist=(502, 503, 504),
        allowed_methods=_IDEMPOTENT_METHODS,
        backoff_factor=0.3,
        raise_on_status=False,
        respect_retry_after_header=True,
    )


def _segment(value: str) -> str:
    """One path segment; "/" inside keys is encoded too (the server routes take it)."""
    return quote(value, safe="")


class RestTransport(RestRegistryMethods):
    """A ``TrackingTransport`` speaking to ``{base_url}mlops/api/`` with a jupyter token."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 120.0,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._api = self.base_url + "mlops/api/"
        self._timeout = (connect_timeout, read_timeout)
        self._session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=8, max_retries=_retry_policy())
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers["User-Agent"] = "jupyter-mlops-client"
        if token:
            self._session.headers["Authorization"] = f"token {token}"
        # requests reads the proxy and CA-bundle variables (walking all of os.environ) and
        # ~/.netrc on every request, when the session trusts the environment: a good part
        # of a small request's cost. Read them once, now, for this server, then stop.
        # (Not trusting it also keeps a ~/.netrc entry from replacing the token header.)
        settings = self._session.merge_environment_settings(self._api, {}, None, None, None)
        self._session.proxies = settings["proxies"]
        self._session.verify = settings["verify"]
        self._session.trust_env = False

    # -- plumbing ------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        body: Mapping[str, Any] | None = None,
        json_text: str | None = None,
        data: Any = None,
        stream: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        all_headers = dict(headers or {})
        if body is not None:
            # allow_nan=False: a bare NaN would be invalid JSON; wire.encode_float spells it.
            json_text = json.dumps(body, allow_nan=False)
        if json_text is not None:
            data = json_text.encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        response = self._session.request(
            method,
            self._api + path,
            params=params,
            data=data,
            headers=all_headers,
            timeout=self._timeout,
            stream=stream,
        )
        if response.status_code >= 400:
            try:
                error_body = response.json()
            except ValueError:
                error_body = None
            finally:
                response.close()
            raise error_from_response(response.status_code, error_body, response.reason or "")
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        # Bytes straight to json (it detects UTF-8): Response.json() would first decode a
        # (possibly multi-megabyte) history into a str.
        return json.loads(response.content)

    # -- experiments -------------------------------------------------------------------
    def create_experiment(
        self, name: str, description: str = "", tags: Mapping[str, str] | None = None
    ) -> Experiment:
        body = {"name": name, "description": description, "tags": dict(tags or {})}
        return experiment_from_json(self._json("POST", "experiments", body=body)["experiment"])

    def get_experiment(self, experiment_id: str) -> Experiment:
        data = self._json("GET", f"experiments/{_segment(experiment_id)}")
        return experiment_from_json(data["experiment"])

    def get_experiment_by_name(self, name: str) -> Experiment:
        data = self._json("GET", "experiments", params={"name": name, "view": "ALL"})
        if not data["experiments"]:
            raise NotFound(f"No experiment named {name!r}.", field="name")
        return experiment_from_json(data["experiments"][0])

    def search_experiments(
        self,
        view: ViewType = ViewType.ACTIVE_ONLY,
        name_like: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> Page[Experiment]:
        params: dict[str, Any] = {"view": ViewType(view).value, "max_results": max_results}
        if name_like is not None:
            params["name_like"] = name_like
        if page_token is not None:
            params["page_token"] = page_token
        data = self._json("GET", "experiments", params=params)
        return Page(
            [experiment_from_json(e) for e in data["experiments"]], data.get("next_page_token")
        )

    def update_experiment(
        self,
        experiment_id: str,
        name: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Experiment:
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        if description is not None:
            body["description"] = description
        if tags is not None:
            body["tags"] = dict(tags)
        data = self._json("PATCH", f"experiments/{_segment(experiment_id)}", body=body)
        return experiment_from_json(data["experiment"])

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        self._json("DELETE", f"experiments/{_segment(experiment_id)}/tags/{_segment(key)}")

    def delete_experiment(self, experiment_id: str) -> None:
        self._json("DELETE", f"experiments/{_segment(experiment_id)}")

    def restore_experiment(self, experiment_id: str) -> Experiment:
        data = self._json("POST", f"experiments/{_segment(experiment_id)}/restore")
        return experiment_from_json(data["experiment"])

    # -- runs ----------------------------------------------------------------------------
    def create_run(
        self,
        experiment_id: str = "0",
        run_name: str | None = None,
        start_time: int | None = None,
        tags: Mapping[str, str] | None = None,
        parent_run_id: str | None = None,
    ) -> Run:
        body: dict[str, Any] = {"experiment_id": experiment_id, "tags": dict(tags or {})}
        if run_name is not None:
            body["run_name"] = run_name
        if start_time is not None:
            body["start_time"] = start_time
        if parent_run_id is not None:
            body["parent_run_id"] = parent_run_id
        return run_from_json(self._json("POST", "runs", body=body)["run"])

    def get_run(self, run_id: str) -> Run:
        return run_from_json(self._json("GET", f"runs/{_segment(run_id)}")["run"])

    def update_run(
        self,
        run_id: str,
        status: RunStatus | None = None,
        end_time: int | None = None,
        run_name: str | None = None,
    ) -> Run:
        body: dict[str, Any] = {}
        if status is not None:
            body["status"] = RunStatus(status).value
        if end_time is not None:
            body["end_time"] = end_time
        if run_name is not None:
            body["run_name"] = run_name
        return run_from_json(self._json("PATCH", f"runs/{_segment(run_id)}", body=body)["run"])

    def delete_run(self, run_id: str) -> None:
        self._json("DELETE", f"runs/{_segment(run_id)}")

    def restore_run(self, run_id: str) -> Run:
        return run_from_json(self._json("POST", f"runs/{_segment(run_id)}/restore")["run"])

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
        self._json(
            "POST", f"runs/{_segment(run_id)}/batch", json_text="{" + ",".join(members) + "}"
        )

    def delete_run_tag(self, run_id: str, key: str) -> None:
        self._json("DELETE", f"runs/{_segment(run_id)}/tags/{_segment(key)}")

    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] = (),
        model_ids: Sequence[str] = (),
    ) -> None:
        body = {
            "datasets": dataset_inputs_to_json(datasets),
            "models": [{"model_id": m} for m in model_ids],
        }
        self._json("POST", f"runs/{_segment(run_id)}/inputs", body=body)

    def get_metric_history(
        self, run_id: str, key: str, max_points: int | None = None
    ) -> list[Metric] | list[MetricBucket]:
        params = None if max_points is None else {"max_points": max_points}
        response = self._request(
            "GET",
            f"runs/{_segment(run_id)}/metrics/{_segment(key)}",
            params=params,
            headers=_HISTORY_ACCEPT,
        )
        # 100,000 points are some 400,000 new objects, none in a cycle: without the pause,
        # the collector would walk the whole (in a notebook, large) heap several times.
        with gc_paused():
            if response.headers.get("Content-Type", "").startswith(HISTORY_BINARY_TYPE):
                return history_from_binary(key, response.content)
            return history_from_json(json.loads(response.content))

    # -- search --------------------------------------------------------------------------
    def search_runs(
        self,
        experiment_ids: Sequence[str] = (),
        filter_string: str | None = None,
        view: ViewType = ViewType.ACTIVE_ONLY,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> Page[Run]:
        # POST: filters can outgrow a URL; the search changes nothing.
        body: dict[str, Any] = {
            "experiment_ids": list(experiment_ids),
            "view": ViewType(view).value,
            "max_results": max_results,
            "order_by": list(order_by or []),
        }
        if filter_string:
            body["filter"] = filter_string
        if page_token is not None:
            body["page_token"] = page_token
        data = self._json("POST", "runs/search", body=body)
        return Page([run_from_json(r) for r in data["runs"]], data.get("next_page_token"))

    def count_runs(
        self,
        experiment_ids: Sequence[str] = (),
        filter_string: str | None = None,
        view: ViewType = ViewType.ACTIVE_ONLY,
    ) -> int:
        params: list[tuple[str, Any]] = [("experiment_ids", e) for e in experiment_ids]
        params.append(("view", ViewType(view).value))
        if filter_string:
            params.append(("filter", filter_string))
        return int(self._json("GET", "runs/count", params=params)["count"])

    # -- artifacts -----------------------------------------------------------------------
    def list_artifacts(self, run_id: str, path: str = "") -> list[FileInfo]:
        params = {"path": path} if path else None
        data = self._json("GET", f"runs/{_segment(run_id)}/artifacts", params=params)
        return [file_info_from_json(f) for f in data["files"]]

    def _artifact_route(self, run_id: str, path: str) -> str:
        return f"runs/{_segment(run_id)}/artifacts/{quote(path.lstrip('/'), safe='/')}"

    def upload_artifact(self, run_id: str, path: str, local_file: Path) -> FileInfo:
        return self._upload_file(self._artifact_route(run_id, path), local_file)

    def download_artifact(self, run_id: str, path: str, local_file: Path) -> None:
        self._download_file(self._artifact_route(run_id, path), local_file)

    def _upload_file(self, route: str, local_file: Path) -> FileInfo:
        """PUT ``local_file`` to an artifact route (a run's or a logged model's)."""
        # The open file is streamed as the raw body with its Content-Length; never read whole.
        with open(local_file, "rb") as source:
            data = self._json(
                "PUT", route, data=source, headers={"Content-Type": "application/octet-stream"}
            )
        return file_info_from_json(data["file"])

    def _download_file(self, route: str, local_file: Path) -> None:
        """Stream the file at an artifact route into ``local_file`` (replaced whole)."""
        partial = local_file.with_name(local_file.name + ".part")
        with self._request("GET", route, stream=True) as response:
            try:
                with open(partial, "wb") as sink:
                    for chunk in response.iter_content(_CHUNK_SIZE):
                        sink.write(chunk)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        os.replace(partial, local_file)

    def close(self) -> None:
        self._session.close()
