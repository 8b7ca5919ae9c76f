"""MLflow's tracking RPCs (``service.proto``), one function each, onto TrackingService.

Each function takes a :class:`~.call.Call` and returns the response's JSON object.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from ...errors import InvalidParameter, NotFound
from ...registry.entities import LoggedModelMetric
from ...registry.logged_models.service import validate_metric_dataset
from ...tracking.entities import Experiment, Metric, ViewType
from ...tracking.external_stores import outside_stores_error
from ...tracking.service import now_ms
from . import wire
from .call import Call, to_int
from .search import (
    experiment_filter,
    offset_token,
    parse_offset_token,
    sort_experiments,
    translate_run_filter,
    translate_run_order_by,
)

#: Our largest page; MLflow's client asks for more (10,000 for pandas) and follows tokens.
_MAX_PAGE = 1000
#: The most a search may ask for (MLflow's SEARCH_MAX_RESULTS_THRESHOLD).
_MAX_SEARCH_RESULTS = 50_000
_LOG_MODEL_HISTORY_TAG = "mlflow.log-model.history"


#: Run ids as MLflow's server takes them (``mlflow/utils/validation.py``); ours are a subset.
_MLFLOW_RUN_ID = re.compile(r"[a-zA-Z0-9][\w\-]{0,255}", re.ASCII)
_OUR_RUN_ID = re.compile(r"[0-9a-f]{32}")
#: What MLflow's client sends as ``user_id`` when it knows no user: nobody in particular.
_UNKNOWN_USER = "unknown"


def checked_run_id(run_id: str, field: str = "run_id") -> str:
    """``run_id`` if it may name a run of ours. An id in MLflow's wider format (``"7"``,
    ``"my-run"``) names no run here: 404, as MLflow answers for a run it does not have;
    anything else is malformed: 400, in MLflow's words."""
    if _OUR_RUN_ID.fullmatch(run_id):
        return run_id
    if _MLFLOW_RUN_ID.fullmatch(run_id):
        raise NotFound(f"Run with id={run_id} not found")
    raise InvalidParameter(
        f"Invalid value {json.dumps(run_id)} for parameter '{field}' supplied", field=field
    )


def _run_id(call: Call) -> str:
    return checked_run_id(call.fields.first_str("run_id", "run_uuid"))


def run_user(call: Call, requested: str | None) -> str:
    """The user a new run is recorded for: the one the client names (``user_id``, or the
    ``mlflow.user`` tag) where the caller may act for that user, an admin or the user of a
    single-user server; the caller otherwise, as MLflow's auth app does. Runs are writable
    by their user, so a caller cannot give a run away to, or take one from, someone else."""
    if not requested or requested == _UNKNOWN_USER or requested == call.user:
        return call.user
    if call.tracking.is_admin(call.user) or call.single_user:
        return requested
    return call.user


def _view(call: Call, name: str) -> ViewType:
    raw = call.fields.text(name, "ACTIVE_ONLY")
    try:
        return ViewType(raw)
    except ValueError:
        allowed = ", ".join(v.value for v in ViewType)
        raise InvalidParameter(f"{name} must be one of {allowed}", field=name) from None


def _search_max_results(call: Call) -> int:
    """A search's ``max_results``: 1 to 50,000 (default 1,000), refused in MLflow's words."""
    max_results: int = call.fields.integer("max_results", 1000)
    if max_results < 1:
        raise InvalidParameter(
            f"Invalid value {max_results} for parameter 'max_results' supplied. "
            "It must be a positive integer",
            field="max_results",
        )
    if max_results > _MAX_SEARCH_RESULTS:
        raise InvalidParameter(
            f"Invalid value {max_results} for parameter 'max_results' supplied. "
            f"It must be at most {_MAX_SEARCH_RESULTS}",
            field="max_results",
        )
    return max_results


# -- experiments ------------------------------------------------------------------------------
def create_experiment(call: Call) -> dict[str, Any]:
    f = call.fields
    name = f.text("name", required=True)
    location = f.text("artifact_location")
    if location is not None and _in_own_store(call, location):
        location = None
    tags = f.key_values("tags")
    description = tags.pop(wire.NOTE_TAG, "")
    experiment = call.tracking.create_experiment(
        call.user, name, description, tags, artifact_location=location
    )
    return {"experiment_id": experiment.experiment_id}


_OWN_STORE_PATH = re.compile(r"[^%\\?#\x00-\x1f\x7f]*")


def _in_own_store(call: Call, location: str) -> bool:
    """Whether ``location`` names this server's artifact store: ``mlflow-artifacts:/...``,
    or ``mlflow-artifacts://<this host>/...`` (another host is refused). The experiment then
    keeps its place there, as any other does (``<experiment_id>/``); a sub-path is not kept,
    so that no experiment's folder can name another's. Such a URI with ``..``, ``.``,
    percent-escapes, a query or control characters is refused like any location outside
    the allowed stores."""
    if not location.startswith("mlflow-artifacts:"):
        return False
    try:
        parts = urlsplit(location)
    except ValueError:
        parts = None
    if (
        parts is None
        or (parts.netloc and parts.netloc.lower() != call.host.lower())
        or parts.query
        or parts.fragment
        or not _OWN_STORE_PATH.fullmatch(location)
        or any(s in (".", "..") for s in parts.path.split("/"))
    ):
        raise outside_stores_error(
            "artifact_location", location, call.tracking.external_artifact_stores
        )
    return True


def get_experiment(call: Call) -> dict[str, Any]:
    experiment_id = call.fields.text("experiment_id", required=True)
    return {
        "experiment": wire.experiment_json(call.tracking.get_experiment(call.user, experiment_id))
    }


def get_experiment_by_name(call: Call) -> dict[str, Any]:
    name = call.fields.text("experiment_name", required=True)
    experiment = call.tracking.get_experiment_by_name(call.user, name)
    return {"experiment": wire.experiment_json(experiment)}


def _all_experiments(call: Call, view: ViewType) -> list[Experiment]:
    experiments: list[Experiment] = []
    token: str | None = None
    while True:
        page = call.tracking.search_experiments(
            call.user, view=view, max_results=_MAX_PAGE, page_token=token
        )
        experiments.extend(page.items)
        token = page.next_page_token
        if not token:
            return experiments


def search_experiments(call: Call) -> dict[str, Any]:
    f = call.fields
    view = _view(call, "view_type")
    max_results = _search_max_results(call)
    test = experiment_filter(f.text("filter"))
    order_by = f.str_list("order_by")
    offset = parse_offset_token(f.text("page_token"))
    matching = sort_experiments([e for e in _all_experiments(call, view) if test(e)], order_by)
    page = matching[offset : offset + max_results]
    response: dict[str, Any] = {"experiments": [wire.experiment_json(e) for e in page]}
    if offset + max_results < len(matching):
        response["next_page_token"] = offset_token(offset + max_results)
    return response


def delete_experiment(call: Call) -> dict[str, Any]:
    call.tracking.delete_experiment(call.user, call.fields.text("experiment_id", required=True))
    return {}


def restore_experiment(call: Call) -> dict[str, Any]:
    call.tracking.restore_experiment(call.user, call.fields.text("experiment_id", required=True))
    return {}


def update_experiment(call: Call) -> dict[str, Any]:
    f = call.fields
    experiment_id = f.text("experiment_id", required=True)
    call.tracking.update_experiment(call.user, experiment_id, name=f.text("new_name"))
    return {}


def set_experiment_tag(call: Call) -> dict[str, Any]:
    f = call.fields
    experiment_id = f.text("experiment_id", required=True)
    key = f.text("key", required=True)
    value = f.text("value", "")
    if key == wire.NOTE_TAG:
        call.tracking.update_experiment(call.user, experiment_id, description=value)
    else:
        call.tracking.update_experiment(call.user, experiment_id, tags={key: value})
    return {}


def delete_experiment_tag(call: Call) -> dict[str, Any]:
    f = call.fields
    experiment_id = f.text("experiment_id", required=True)
    key = f.text("key", required=True)
    if key == wire.NOTE_TAG:
        call.tracking.update_experiment(call.user, experiment_id, description="")
    else:
        call.tracking.delete_experiment_tag(call.user, experiment_id, key)
    return {}


# -- runs -------------------------------------------------------------------------------------
def create_run(call: Call) -> dict[str, Any]:
    f = call.fields
    system = wire.RunSystemTags(f.key_values("tags"))
    tags = system.plain
    parent = system.parent if system.parent and _is_our_run(call, system.parent) else None
    if parent is not None:
        tags.pop(wire.PARENT_RUN_TAG, None)  # the parent field says it
    run = call.tracking.create_run(
        call.user,
        experiment_id=f.text("experiment_id", "0"),
        run_name=f.text("run_name") or system.name,
        start_time=f.integer("start_time"),
        tags=tags,
        parent_run_id=parent,
        run_user=run_user(call, f.text("user_id") or system.user),
    )
    return {"run": wire.run_json(run)}


def _is_our_run(call: Call, run_id: str) -> bool:
    """Whether ``run_id`` names a run of this server. A ``mlflow.parentRunId`` that does
    not (``"7"``, a run of another server) is only a reference: a plain tag, as in MLflow."""
    if not _OUR_RUN_ID.fullmatch(run_id):
        return False
    try:
        call.tracking.get_run_info(call.user, run_id)
    except NotFound:
        return False
    return True


def get_run(call: Call) -> dict[str, Any]:
    return {"run": wire.run_json(call.tracking.get_run(call.user, _run_id(call)))}


def update_run(call: Call) -> dict[str, Any]:
    f = call.fields
    run = call.tracking.update_run(
        call.user,
        _run_id(call),
        status=f.text("status"),
        end_time=f.integer("end_time"),
        run_name=f.text("run_name"),
    )
    return {"run_info": wire.run_info_json(run.info)}


def delete_run(call: Call) -> dict[str, Any]:
    call.tracking.delete_run(call.user, _run_id(call))
    return {}


def restore_run(call: Call) -> dict[str, Any]:
    call.tracking.restore_run(call.user, _run_id(call))
    return {}


def log_metric(call: Call) -> dict[str, Any]:
    f = call.fields
    metric = Metric(
        f.text("key", required=True),
        f.number("value", required=True),
        f.integer("timestamp", now_ms()),
        f.integer("step", 0),
    )
    run_id = _run_id(call)
    model_id = f.text("model_id")
    # Checked before anything is written, so that a bad dataset leaves the run as it was.
    dataset = (f.text("dataset_name"), f.text("dataset_digest"))
    by_model = {model_id: [_model_metric(metric, run_id, *dataset)]} if model_id else {}
    call.tracking.log_batch(call.user, run_id, metrics=[metric])
    if by_model:
        _log_model_metrics(call, by_model)
    return {}


def _model_metric(
    metric: Metric, run_id: str, dataset_name: Any, dataset_digest: Any, field: str = ""
) -> LoggedModelMetric:
    """A run's metric as its logged model keeps it: with the run and the dataset it was
    measured on."""
    dataset = validate_metric_dataset(dataset_name, dataset_digest, field)
    return LoggedModelMetric(
        metric.key, metric.value, metric.timestamp, metric.step, run_id, *dataset
    )


def _log_model_metrics(call: Call, by_model: dict[str, list[LoggedModelMetric]]) -> None:
    """MLflow 3 logs a run's metric with the logged model it measures: record it there too."""
    for model_id, metrics in by_model.items():
        call.registry.logged_models.log_logged_model_metrics(call.user, model_id, metrics)


def log_param(call: Call) -> dict[str, Any]:
    f = call.fields
    key = f.text("key", required=True)
    call.tracking.log_batch(call.user, _run_id(call), params={key: f.text("value", "")})
    return {}


def _log_tags(call: Call, run_id: str, tags: dict[str, str]) -> None:
    """Plain tags in one write; a run name tag renames the run (it is a field here); a
    ``mlflow.user`` tag is not kept (the run's user is fixed when it is created)."""
    system = wire.RunSystemTags(tags)
    if system.name is not None:
        call.tracking.update_run(call.user, run_id, run_name=system.name)
    if system.plain or system.name is None:
        call.tracking.log_batch(call.user, run_id, tags=system.plain)


def set_tag(call: Call) -> dict[str, Any]:
    f = call.fields
    key = f.text("key", required=True)
    _log_tags(call, _run_id(call), {key: f.text("value", "")})
    return {}


def delete_tag(call: Call) -> dict[str, Any]:
    f = call.fields
    key = f.text("key", required=True)
    if key in (wire.RUN_NAME_TAG, wire.USER_TAG):
        raise InvalidParameter(f"The system tag {key!r} cannot be deleted", field="key")
    call.tracking.delete_run_tag(call.user, _run_id(call), key)
    return {}


def log_batch(call: Call) -> dict[str, Any]:
    f = call.fields
    run_id = _run_id(call)
    stamp = now_ms()
    metrics: list[Metric] = []
    by_model: dict[str, list[LoggedModelMetric]] = {}
    for index, item in enumerate(f.objects("metrics")):
        metric = wire.parse_metric(item, f"metrics[{index}]", stamp)
        metrics.append(metric)
        model_id = item.get("model_id")
        if model_id:
            by_model.setdefault(str(model_id), []).append(
                _model_metric(
                    metric,
                    run_id,
                    item.get("dataset_name"),
                    item.get("dataset_digest"),
                    f"metrics[{index}].",
                )
            )
    params: dict[str, str] = {}
    for index, item in enumerate(f.objects("params")):
        key, value = item.get("key"), item.get("value", "")
        if not isinstance(key, str) or not isinstance(value, str):
            raise InvalidParameter(
                f"params[{index}] must have a string key and value", field=f"params[{index}]"
            )
        if key in params and params[key] != value:
            raise InvalidParameter(
                f"Duplicate parameter keys have been submitted: {key!r} with different values",
                field=f"params[{index}]",
            )
        params[key] = value
    system = wire.RunSystemTags(f.key_values("tags"))
    plain_tags, name = system.plain, system.name
    if name is not None:
        call.tracking.update_run(call.user, run_id, run_name=name)
    if metrics or params or plain_tags or name is None:
        call.tracking.log_batch(call.user, run_id, metrics=metrics, params=params, tags=plain_tags)
    if by_model:
        _log_model_metrics(call, by_model)
    return {}


def log_model(call: Call) -> dict[str, Any]:
    """Record a logged model's MLmodel in the run's ``mlflow.log-model.history`` tag."""
    f = call.fields
    run_id = _run_id(call)
    raw = f.text("model_json", required=True)
    try:
        model = json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidParameter("model_json is not valid JSON", field="model_json") from None
    run = call.tracking.get_run(call.user, run_id)
    try:
        history = json.loads(run.tags.get(_LOG_MODEL_HISTORY_TAG, "[]"))
    except ValueError:
        history = []
    history.append(model)
    value = json.dumps(history)
    if len(value) > 5000:  # the tag's limit: keep the newest entries that fit
        while len(history) > 1 and len(json.dumps(history)) > 5000:
            history.pop(0)
        value = json.dumps(history)
        if len(value) > 5000:
            return {}
    call.tracking.log_batch(call.user, run_id, tags={_LOG_MODEL_HISTORY_TAG: value})
    return {}


def log_inputs(call: Call) -> dict[str, Any]:
    """Store the datasets (``mlflow.log_input``, autologging's training data) and logged
    models the run used; errors name the request's field (``datasets[0].dataset.name``)."""
    f = call.fields
    datasets = [
        wire.parse_dataset_input(item, f"datasets[{index}]")
        for index, item in enumerate(f.objects("datasets"))
    ]
    model_ids: list[Any] = [item.get("model_id") for item in f.objects("models")]
    call.tracking.log_inputs(call.user, _run_id(call), datasets, model_ids)
    return {}


def search_datasets(call: Call) -> dict[str, Any]:
    """The (dataset, context) pairs used in 1 to 20 experiments (MLflow's web UI asks)."""
    summaries = call.tracking.search_datasets(call.user, call.fields.str_list("experiment_ids"))
    return {"dataset_summaries": [wire.dataset_summary_json(s) for s in summaries]}


def log_outputs(call: Call) -> dict[str, Any]:
    """Record the run as the producer of its logged models (their ``source_run_id``), each
    at its step (MLflow's ``LoggedModelOutput.step``, 0 when left out)."""
    items = call.fields.objects("models")
    model_ids: list[Any] = [item.get("model_id") for item in items]
    steps = [to_int(item.get("step"), f"models[{i}].step", 0) for i, item in enumerate(items)]
    call.registry.logged_models.log_run_outputs(call.user, _run_id(call), model_ids, steps)
    return {}


def search_runs(call: Call) -> dict[str, Any]:
    f = call.fields
    max_results = _search_max_results(call)
    page = call.tracking.search_runs(
        call.user,
        experiment_ids=f.str_list("experiment_ids"),
        filter_string=translate_run_filter(f.text("filter")),
        view=_view(call, "run_view_type"),
        max_results=min(max_results, _MAX_PAGE),
        order_by=translate_run_order_by(f.str_list("order_by")),
        page_token=f.text("page_token"),
    )
    response: dict[str, Any] = {"runs": [wire.run_json(r) for r in page.items]}
    if page.next_page_token:
        response["next_page_token"] = page.next_page_token
    return response


def get_metric_history(call: Call) -> dict[str, Any]:
    f = call.fields
    key = f.text("metric_key", required=True)
    run_id = _run_id(call)
    max_results = f.integer("max_results")
    if max_results is not None and max_results < 1:
        raise InvalidParameter(
            f"Invalid value {max_results} for parameter 'max_results' supplied. "
            "It must be a positive integer.",
            field="max_results",
        )
    # Checked before the history is read, with or without max_results: a token that is
    # not one of ours is a 400, never the whole history.
    offset = parse_offset_token(f.text("page_token"))
    points = call.tracking.get_metric_history(call.user, run_id, key)
    response: dict[str, Any] = {}
    end = len(points) if max_results is None else offset + max_results
    if end < len(points):
        response["next_page_token"] = offset_token(end)
    points = points[offset:end]
    response["metrics"] = [wire.metric_json(p) for p in points]  # type: ignore[arg-type]
    return response


def get_metric_history_bulk_interval(call: Call) -> dict[str, Any]:
    """Histories of one key over several runs, at most ``max_results`` points per run."""
    f = call.fields
    key = f.text("metric_key", required=True)
    run_ids = f.str_list("run_ids")
    if not run_ids or len(run_ids) > 100:
        raise InvalidParameter("run_ids must name 1 to 100 runs", field="run_ids")
    run_ids = [checked_run_id(r, "run_ids") for r in run_ids]
    start, end = f.integer("start_step"), f.integer("end_step")
    max_results = f.integer("max_results", 320)
    if max_results < 1:
        raise InvalidParameter("max_results must be positive", field="max_results")
    metrics: list[dict[str, Any]] = []
    for run_id in run_ids:
        points = call.tracking.get_metric_history(call.user, run_id, key)
        chosen = [
            p
            for p in points
            if isinstance(p, Metric)
            and (start is None or p.step >= start)
            and (end is None or p.step <= end)
        ]
        if len(chosen) > max_results:
            stride = len(chosen) / max_results
            chosen = [chosen[int(i * stride)] for i in range(max_results - 1)] + [chosen[-1]]
        metrics.extend({**wire.metric_json(p), "run_id": run_id} for p in chosen)
    return {"metrics": metrics}


def list_artifacts(call: Call) -> dict[str, Any]:
    f = call.fields
    run_id = _run_id(call)
    info = call.tracking.get_run(call.user, run_id).info
    files = call.tracking.list_artifacts(call.user, run_id, f.text("path", ""))
    return {
        "root_uri": wire.artifact_uri(info.artifact_uri),
        "files": [wire.file_info_json(x) for x in files],
    }
