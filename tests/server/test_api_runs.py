"""Runs over REST: lifecycle, logging, search, metric history, NaN on the wire."""

from __future__ import annotations

import math
import struct

from server_support import ApiCall, create_experiment, create_run, get_run


async def test_create_a_run_in_the_default_experiment(mlops_api: ApiCall) -> None:
    response = await mlops_api("POST", "runs", json={})
    assert response.status == 201
    info = response.json()["run"]["info"]
    assert info["experiment_id"] == "0"
    assert info["user"] == "owner"
    assert info["status"] == "RUNNING"
    assert info["end_time"] is None
    assert info["parent_run_id"] is None
    assert len(info["run_id"]) == 32
    assert info["run_name"]  # generated


async def test_create_with_name_tags_parent_and_start_time(mlops_api: ApiCall) -> None:
    parent = await create_run(mlops_api)
    child = await create_run(
        mlops_api,
        run_name="child",
        start_time=1_700_000_000_000,
        tags={"k": "v"},
        parent_run_id=parent["info"]["run_id"],
    )
    assert child["info"]["run_name"] == "child"
    assert child["info"]["start_time"] == 1_700_000_000_000
    assert child["info"]["parent_run_id"] == parent["info"]["run_id"]
    assert child["tags"]["k"] == "v"


async def test_log_batch_then_read_the_run(mlops_api: ApiCall) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    response = await mlops_api(
        "POST",
        f"runs/{run_id}/batch",
        json={
            "metrics": [
                {"key": "loss", "value": 0.5, "step": 0, "timestamp": 10},
                {"key": "loss", "value": 0.25, "step": 1, "timestamp": 20},
                {"key": "system/cpu", "value": 12},
            ],
            "params": {"lr": "0.01"},
            "tags": {"note": "first"},
        },
    )
    assert response.status == 204
    assert response.body == b""

    run = await get_run(mlops_api, run_id)
    assert run["params"] == {"lr": "0.01"}
    assert run["tags"]["note"] == "first"
    assert run["metrics"]["loss"] == {
        "value": 0.25,
        "step": 1,
        "timestamp": 20,
        "min": 0.25,
        "max": 0.5,
    }
    # No timestamp given: the server stamped it with its clock.
    assert run["metrics"]["system/cpu"]["timestamp"] >= run["info"]["start_time"]


async def test_the_same_param_value_again_is_fine_another_is_refused(mlops_api: ApiCall) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    await mlops_api("POST", f"runs/{run_id}/batch", json={"params": {"lr": "0.1"}})

    same = await mlops_api("POST", f"runs/{run_id}/batch", json={"params": {"lr": "0.1"}})
    assert same.status == 204
    other = await mlops_api("POST", f"runs/{run_id}/batch", json={"params": {"lr": "0.2"}})
    assert other.status == 400
    assert other.error["field"] == "params.lr"
    assert (await get_run(mlops_api, run_id))["params"] == {"lr": "0.1"}


async def test_finish_resume_rename_and_untag(mlops_api: ApiCall) -> None:
    run = await create_run(mlops_api, tags={"a": "1", "b": "2"})
    run_id = run["info"]["run_id"]

    finished = await mlops_api("PATCH", f"runs/{run_id}", json={"status": "FINISHED"})
    assert finished.status == 200
    info = finished.json()["run"]["info"]
    assert info["status"] == "FINISHED"
    assert info["end_time"] >= info["start_time"]

    refused = await mlops_api(
        "POST", f"runs/{run_id}/batch", json={"metrics": [{"key": "m", "value": 1}]}
    )
    assert refused.status == 409  # finished: resume first

    resumed = await mlops_api(
        "PATCH", f"runs/{run_id}", json={"status": "RUNNING", "run_name": "again"}
    )
    assert resumed.json()["run"]["info"]["status"] == "RUNNING"
    assert resumed.json()["run"]["info"]["end_time"] is None
    assert resumed.json()["run"]["info"]["run_name"] == "again"

    assert (await mlops_api("DELETE", f"runs/{run_id}/tags/a")).status == 204
    assert "a" not in (await get_run(mlops_api, run_id))["tags"]
    missing_tag = await mlops_api("DELETE", f"runs/{run_id}/tags/a")
    assert missing_tag.status == 404


async def test_delete_and_restore_a_run(mlops_api: ApiCall) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    assert (await mlops_api("DELETE", f"runs/{run_id}")).status == 204
    assert (await get_run(mlops_api, run_id))["info"]["lifecycle_stage"] == "deleted"

    restored = await mlops_api("POST", f"runs/{run_id}/restore")
    assert restored.status == 200
    assert restored.json()["run"]["info"]["lifecycle_stage"] == "active"


async def test_search_filter_order_and_pages(mlops_api: ApiCall) -> None:
    eid = (await create_experiment(mlops_api, "search"))["experiment_id"]
    for index, loss in enumerate([0.3, 0.1, 0.2]):
        run_id = (await create_run(mlops_api, eid, run_name=f"r{index}"))["info"]["run_id"]
        await mlops_api(
            "POST",
            f"runs/{run_id}/batch",
            json={"metrics": [{"key": "loss", "value": loss}], "params": {"i": str(index)}},
        )

    by_loss = await mlops_api(
        "GET",
        "runs",
        params=[("experiment_ids", eid), ("order_by", "metrics.loss ASC"), ("max_results", 2)],
    )
    assert by_loss.status == 200
    page = by_loss.json()
    assert [r["info"]["run_name"] for r in page["runs"]] == ["r1", "r2"]
    rest = await mlops_api(
        "GET",
        "runs",
        params=[
            ("experiment_ids", eid),
            ("order_by", "metrics.loss ASC"),
            ("max_results", 2),
            ("page_token", page["next_page_token"]),
        ],
    )
    assert [r["info"]["run_name"] for r in rest.json()["runs"]] == ["r0"]
    assert rest.json()["next_page_token"] is None

    filtered = await mlops_api(
        "POST",
        "runs/search",
        json={
            "experiment_ids": [eid],
            "filter": "metrics.loss < 0.25",
            "order_by": ["metrics.loss"],
        },
    )
    assert filtered.status == 200
    assert [r["info"]["run_name"] for r in filtered.json()["runs"]] == ["r1", "r2"]

    count = await mlops_api(
        "GET", "runs/count", params={"experiment_ids": eid, "filter": "params.i != '0'"}
    )
    assert count.json() == {"count": 2}


async def test_a_bad_filter_names_the_filter_field(mlops_api: ApiCall) -> None:
    response = await mlops_api("GET", "runs", params={"filter": "metrics.loss <<< 1"})
    assert response.status == 400
    assert response.error["field"] == "filter"
    post = await mlops_api("POST", "runs/search", json={"filter": "params.x = "})
    assert post.status == 400
    assert post.error["field"] == "filter"
    count = await mlops_api("GET", "runs/count", params={"filter": "nonsense"})
    assert count.status == 400
    assert count.error["field"] == "filter"


async def test_nan_and_infinities_round_trip_as_strings(mlops_api: ApiCall) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    response = await mlops_api(
        "POST",
        f"runs/{run_id}/batch",
        json={
            "metrics": [
                {"key": "nan", "value": "NaN", "step": 0},
                {"key": "up", "value": "Infinity", "step": 0},
                {"key": "down", "value": "-Infinity", "step": 0},
                {"key": "plain", "value": 1.5, "step": 0},
            ]
        },
    )
    assert response.status == 204

    run = await get_run(mlops_api, run_id)
    assert run["metrics"]["nan"]["value"] == "NaN"
    assert run["metrics"]["nan"]["min"] is None  # min/max ignore NaN
    assert run["metrics"]["up"]["value"] == "Infinity"
    assert run["metrics"]["down"]["value"] == "-Infinity"
    assert run["metrics"]["plain"]["value"] == 1.5

    history = await mlops_api("GET", f"runs/{run_id}/metrics/nan")
    assert history.json()["points"][0]["value"] == "NaN"
    # The body is strict JSON: no bare NaN token anywhere.
    assert b"NaN," not in history.body and b": NaN" not in history.body


async def test_metric_history_full_and_downsampled_keeps_the_spike(mlops_api: ApiCall) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    points = [
        {"key": "loss", "value": 1000.0 if step == 137 else 1.0 / (step + 1), "step": step}
        for step in range(1000)
    ]
    await mlops_api("POST", f"runs/{run_id}/batch", json={"metrics": points})

    full = await mlops_api("GET", f"runs/{run_id}/metrics/loss")
    assert full.status == 200
    body = full.json()
    assert body["key"] == "loss"
    assert body["downsampled"] is False
    assert [p["step"] for p in body["points"]] == list(range(1000))

    small = await mlops_api("GET", f"runs/{run_id}/metrics/loss", params={"max_points": 50})
    body = small.json()
    assert body["downsampled"] is True
    assert 0 < len(body["points"]) <= 50
    assert sum(p["count"] for p in body["points"]) == 1000
    assert max(p["max"] for p in body["points"]) == 1000.0  # the spike survives

    short = await mlops_api("GET", f"runs/{run_id}/metrics/loss", params={"max_points": 5000})
    assert short.json()["downsampled"] is False
    assert len(short.json()["points"]) == 1000


PACKED = "application/vnd.jupyter-mlops.metric-history+octet-stream"


async def test_a_whole_history_is_packed_for_clients_that_ask(mlops_api: ApiCall) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    values: list[float | str] = [0.1 * step for step in range(300)]
    values[7], values[8], values[9] = "NaN", "Infinity", "-Infinity"
    points = [
        {"key": "loss", "value": value, "step": step - 5, "timestamp": 2**40 + step}
        for step, value in enumerate(values)
    ]
    await mlops_api("POST", f"runs/{run_id}/batch", json={"metrics": points})
    as_json = (await mlops_api("GET", f"runs/{run_id}/metrics/loss")).json()["points"]

    packed = await mlops_api(
        "GET", f"runs/{run_id}/metrics/loss", headers={"Accept": f"{PACKED}, application/json"}
    )
    assert packed.status == 200
    assert packed.headers["Content-Type"] == PACKED
    n = len(packed.body) // 24
    assert n == 300 and len(packed.body) == 24 * n
    steps = struct.unpack(f"<{n}q", packed.body[: 8 * n])
    stamps = struct.unpack(f"<{n}q", packed.body[8 * n : 16 * n])
    floats = struct.unpack(f"<{n}d", packed.body[16 * n :])
    assert list(steps) == [p["step"] for p in as_json]
    assert list(stamps) == [p["timestamp"] for p in as_json]
    assert math.isnan(floats[7]) and floats[8] == math.inf and floats[9] == -math.inf
    assert [f for i, f in enumerate(floats) if i not in (7, 8, 9)] == [
        p["value"] for i, p in enumerate(as_json) if i not in (7, 8, 9)
    ]

    # Downsampled histories stay JSON whatever the client accepts.
    buckets = await mlops_api(
        "GET",
        f"runs/{run_id}/metrics/loss",
        params={"max_points": 10},
        headers={"Accept": PACKED},
    )
    assert buckets.headers["Content-Type"].startswith("application/json")
    assert buckets.json()["downsampled"] is True


async def test_metric_keys_with_slashes_and_unknown_keys(mlops_api: ApiCall) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    await mlops_api(
        "POST", f"runs/{run_id}/batch", json={"metrics": [{"key": "system/cpu", "value": 3}]}
    )
    literal = await mlops_api("GET", f"runs/{run_id}/metrics/system/cpu")
    encoded = await mlops_api("GET", f"runs/{run_id}/metrics/system%2Fcpu")
    assert literal.json() == encoded.json()
    assert literal.json()["key"] == "system/cpu"
    assert literal.json()["points"][0]["value"] == 3

    unknown = await mlops_api("GET", f"runs/{run_id}/metrics/never")
    assert unknown.status == 200
    assert unknown.json() == {"key": "never", "downsampled": False, "points": []}


async def test_big_values_stay_exact(mlops_api: ApiCall) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    await mlops_api(
        "POST",
        f"runs/{run_id}/batch",
        json={"metrics": [{"key": "tiny", "value": 5e-324}, {"key": "huge", "value": 1.7e308}]},
    )
    run = await get_run(mlops_api, run_id)
    assert run["metrics"]["tiny"]["value"] == 5e-324
    assert math.isclose(run["metrics"]["huge"]["value"], 1.7e308)
