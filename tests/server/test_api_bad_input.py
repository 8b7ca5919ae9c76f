"""Bad input is a 4xx naming the field, never a 500, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from server_support import ApiCall, create_experiment, create_run, get_run

# (description, batch body, expected status, expected field)
BAD_BATCHES: list[tuple[str, Any, int, str]] = [
    ("param value over 6000 chars", {"params": {"p": "x" * 6001}}, 400, "params.p"),
    ("251-char key", {"params": {"k" * 251: "v"}}, 400, "params." + "k" * 251),
    ("key with a .. segment", {"tags": {"a/../b": "v"}}, 400, "tags.a/../b"),
    ("key with a leading /", {"params": {"/etc": "v"}}, 400, "params./etc"),
    ("key with a control char", {"tags": {"a\x07b": "v"}}, 400, "tags.a\x07b"),
    ("empty key", {"params": {"": "v"}}, 400, "params."),
    ("NUL in a value", {"tags": {"t": "a\x00b"}}, 400, "tags.t"),
    ("tag value over 5000 chars", {"tags": {"t": "x" * 5001}}, 400, "tags.t"),
    ("string step", {"metrics": [{"key": "m", "value": 1, "step": "3"}]}, 400, "metrics[0].step"),
    ("float step", {"metrics": [{"key": "m", "value": 1, "step": 1.5}]}, 400, "metrics[0].step"),
    ("bool value", {"metrics": [{"key": "m", "value": True}]}, 400, "metrics[0].value"),
    ("string value", {"metrics": [{"key": "m", "value": "high"}]}, 400, "metrics[0].value"),
    ("null value", {"metrics": [{"key": "m", "value": None}]}, 400, "metrics[0].value"),
    ("missing value", {"metrics": [{"key": "m"}]}, 400, "metrics[0].value"),
    (
        "negative timestamp",
        {"metrics": [{"key": "m", "value": 1, "timestamp": -1}]},
        400,
        "metrics[0].timestamp",
    ),
    (
        "second metric bad",
        {"metrics": [{"key": "ok", "value": 1}, {"key": "..", "value": 1}]},
        400,
        "metrics[1].key",
    ),
    (
        "unknown metric member",
        {"metrics": [{"key": "m", "value": 1, "stp": 2}]},
        400,
        "metrics[0].stp",
    ),
    ("list for params", {"params": [["lr", "0.1"]]}, 400, "params"),
    ("number param value", {"params": {"lr": 0.1}}, 400, "params.lr"),
    ("object for metrics", {"metrics": {"key": "m", "value": 1}}, 400, "metrics"),
    ("101 params", {"params": {f"p{i}": "v" for i in range(101)}}, 400, "params"),
    ("1001 metrics", {"metrics": [{"key": "m", "value": 1}] * 1001}, 400, "metrics"),
    ("unknown member", {"parameters": {"lr": "0.1"}}, 400, "parameters"),
]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [pytest.param(b, s, f, id=d) for d, b, s, f in BAD_BATCHES],
)
async def test_a_bad_batch_is_refused_and_logs_nothing(
    mlops_api: ApiCall, body: Any, status: int, field: str
) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    before = await get_run(mlops_api, run_id)

    response = await mlops_api("POST", f"runs/{run_id}/batch", json=body)

    assert response.status == status, response.body
    assert response.error["code"] == "INVALID_PARAMETER_VALUE"
    assert response.error["field"] == field
    after = await get_run(mlops_api, run_id)
    assert after == before


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        pytest.param(b"{not json", "body", id="malformed"),
        pytest.param(b"[1, 2]", "body", id="array"),
        pytest.param(b'"params"', "body", id="string"),
        pytest.param(b"\xff\xfe", "body", id="not-utf8"),
        pytest.param(b'{"params": {"lr": "1", "lr": "2"}}', "params.lr", id="duplicate-key"),
    ],
)
async def test_a_body_that_is_not_a_json_object_is_refused(
    mlops_api: ApiCall, raw: bytes, field: str
) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    response = await mlops_api(
        "POST", f"runs/{run_id}/batch", body=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert response.error["field"] == field
    assert (await get_run(mlops_api, run_id))["params"] == {}


async def test_the_same_duplicate_key_and_value_is_harmless(mlops_api: ApiCall) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    response = await mlops_api(
        "POST",
        f"runs/{run_id}/batch",
        body=b'{"params": {"lr": "1", "lr": "1"}}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 204
    assert (await get_run(mlops_api, run_id))["params"] == {"lr": "1"}


@pytest.mark.parametrize(
    ("method", "path", "body", "params", "field"),
    [
        ("POST", "experiments", {"name": ""}, None, "name"),
        ("POST", "experiments", {"name": "x" * 501}, None, "name"),
        ("POST", "experiments", {"name": 5}, None, "name"),
        ("POST", "experiments", {}, None, "name"),
        ("POST", "experiments", {"name": "t", "tags": ["a"]}, None, "tags"),
        ("POST", "experiments", {"name": "t", "description": 1}, None, "description"),
        ("GET", "experiments", None, {"max_results": "ten"}, "max_results"),
        ("GET", "experiments", None, {"max_results": "0"}, "max_results"),
        ("GET", "experiments", None, {"max_results": "5000"}, "max_results"),
        ("GET", "experiments", None, {"view": "SOME"}, "view"),
        ("GET", "experiments", None, {"page_token": "garbage"}, "page_token"),
        ("GET", "experiments/abc", None, None, "experiment_id"),
        ("POST", "runs", {"experiment_id": 1}, None, "experiment_id"),
        ("POST", "runs", {"start_time": "yesterday"}, None, "start_time"),
        ("POST", "runs", {"parent_run_id": "nope"}, None, "parent_run_id"),
        ("POST", "runs", {"run_name": "a\nb"}, None, "run_name"),
        ("POST", "runs", {"tags": {"..": "x"}}, None, "tags..."),
        ("GET", "runs", None, {"experiment_ids": "x"}, "experiment_ids[0]"),
        ("GET", "runs", None, {"view": "nope"}, "view"),
        ("GET", "runs", None, {"order_by": "bogus column"}, "order_by[0]"),
        ("POST", "runs/search", {"max_results": "10"}, None, "max_results"),
        ("POST", "runs/search", {"experiment_ids": "1"}, None, "experiment_ids"),
        ("POST", "runs/search", {"order_by": "metrics.loss"}, None, "order_by"),
        ("GET", "runs/not-a-run-id", None, None, "run_id"),
        ("GET", "runs/count", None, {"view": "x"}, "view"),
    ],
)
async def test_bad_request_fields_are_named(
    mlops_api: ApiCall, method: str, path: str, body: Any, params: Any, field: str
) -> None:
    response = await mlops_api(method, path, json=body, params=params)
    assert response.status == 400, response.body
    assert response.error["field"] == field


async def test_bad_run_updates_change_nothing(mlops_api: ApiCall) -> None:
    run_id = (await create_run(mlops_api, start_time=1000))["info"]["run_id"]
    before = await get_run(mlops_api, run_id)
    for body, field in [
        ({"status": "DONE"}, "status"),
        ({"end_time": "later"}, "end_time"),
        ({"end_time": 5}, "end_time"),  # before the start
        ({"run_name": 3}, "run_name"),
        ({"user": "mallory"}, "user"),
    ]:
        response = await mlops_api("PATCH", f"runs/{run_id}", json=body)
        assert response.status == 400, body
        assert response.error["field"] == field
    assert await get_run(mlops_api, run_id) == before


async def test_unknown_ids_are_404_on_every_run_route(mlops_api: ApiCall) -> None:
    ghost = "0" * 32
    for method, path, body in [
        ("GET", f"runs/{ghost}", None),
        ("PATCH", f"runs/{ghost}", {"status": "FINISHED"}),
        ("DELETE", f"runs/{ghost}", None),
        ("POST", f"runs/{ghost}/restore", None),
        ("POST", f"runs/{ghost}/batch", {"params": {"a": "b"}}),
        ("DELETE", f"runs/{ghost}/tags/a", None),
        ("GET", f"runs/{ghost}/metrics/loss", None),
        ("GET", f"runs/{ghost}/artifacts", None),
        ("GET", f"runs/{ghost}/artifacts/a.txt", None),
        ("POST", "runs", {"experiment_id": "12345"}),
        ("POST", "runs", {"parent_run_id": ghost}),
    ]:
        response = await mlops_api(method, path, json=body)
        assert response.status == 404, (method, path, response.body)
        assert response.error["code"] == "RESOURCE_DOES_NOT_EXIST"


async def test_writes_to_finished_and_deleted_runs_are_refused(mlops_api: ApiCall) -> None:
    finished = (await create_run(mlops_api))["info"]["run_id"]
    await mlops_api("PATCH", f"runs/{finished}", json={"status": "FINISHED"})
    deleted = (await create_run(mlops_api))["info"]["run_id"]
    await mlops_api("DELETE", f"runs/{deleted}")

    for run_id in (finished, deleted):
        before = await get_run(mlops_api, run_id)
        batch = await mlops_api(
            "POST",
            f"runs/{run_id}/batch",
            json={"metrics": [{"key": "m", "value": 1}], "params": {"p": "1"}},
        )
        assert batch.status == 409
        assert batch.error["code"] == "INVALID_STATE"
        upload = await mlops_api("PUT", f"runs/{run_id}/artifacts/a.txt", body=b"x")
        assert upload.status == 409
        assert await get_run(mlops_api, run_id) == before
        listing = await mlops_api("GET", f"runs/{run_id}/artifacts")
        assert listing.json() == {"files": []}

    rename_deleted = await mlops_api("PATCH", f"runs/{deleted}", json={"run_name": "x"})
    assert rename_deleted.status == 409
    tag_deleted = await mlops_api("POST", f"runs/{deleted}/batch", json={"tags": {"k": "v"}})
    assert tag_deleted.status == 409


async def test_a_finished_run_can_still_be_tagged_and_noted(mlops_api: ApiCall) -> None:
    """Results are fixed when a run ends; labels and notes are not (as in MLflow)."""
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    await mlops_api("PATCH", f"runs/{run_id}", json={"status": "FINISHED"})
    note = {"mlflow.note.content": "# Baseline\nGood enough.", "reviewed": "yes"}
    tagged = await mlops_api("POST", f"runs/{run_id}/batch", json={"tags": note})
    assert tagged.status == 204, tagged.body
    untagged = await mlops_api("DELETE", f"runs/{run_id}/tags/reviewed")
    assert untagged.status == 204, untagged.body
    run = await get_run(mlops_api, run_id)
    assert run["tags"]["mlflow.note.content"] == note["mlflow.note.content"]
    assert "reviewed" not in run["tags"]
    assert run["info"]["status"] == "FINISHED"


async def test_creating_a_run_in_a_deleted_experiment_is_refused(mlops_api: ApiCall) -> None:
    eid = (await create_experiment(mlops_api, "closed"))["experiment_id"]
    await mlops_api("DELETE", f"experiments/{eid}")
    response = await mlops_api("POST", "runs", json={"experiment_id": eid})
    assert response.status == 409
    count = await mlops_api("GET", "runs/count", params={"experiment_ids": eid, "view": "ALL"})
    assert count.json() == {"count": 0}


async def test_unsupported_methods_get_a_json_405(mlops_api: ApiCall) -> None:
    response = await mlops_api("PUT", "experiments", json={}, validate=False)
    assert response.status == 405
    assert response.error["code"] == "METHOD_NOT_ALLOWED"
