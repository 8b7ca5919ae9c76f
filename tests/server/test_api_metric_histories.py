"""One metric's history over several runs in one request (the compare view's charts)."""

from __future__ import annotations

from server_support import ApiCall, create_run


async def _run_with_loss(api: ApiCall, steps: int, scale: float) -> str:
    run_id: str = (await create_run(api))["info"]["run_id"]
    points = [{"key": "loss", "value": scale / (step + 1), "step": step} for step in range(steps)]
    await api("POST", f"runs/{run_id}/batch", json={"metrics": points})
    return run_id


async def test_histories_of_several_runs_in_the_order_asked(mlops_api: ApiCall) -> None:
    long_run = await _run_with_loss(mlops_api, 500, 1.0)
    short_run = await _run_with_loss(mlops_api, 3, 2.0)
    without = (await create_run(mlops_api))["info"]["run_id"]

    response = await mlops_api(
        "GET",
        "runs/metric-histories",
        params=[
            ("run_ids", short_run),
            ("run_ids", without),
            ("run_ids", long_run),
            ("key", "loss"),
            ("max_points", 50),
        ],
    )
    assert response.status == 200
    histories = response.json()["histories"]
    assert [h["run_id"] for h in histories] == [short_run, without, long_run]
    short, empty, long = histories
    # Each as the single-run history gives it: whole when short, downsampled when long
    assert short["downsampled"] is False
    assert [p["value"] for p in short["points"]] == [2.0, 1.0, 2.0 / 3]
    assert empty["points"] == []
    assert long["downsampled"] is True
    assert 0 < len(long["points"]) <= 50
    assert sum(p["count"] for p in long["points"]) == 500
    single = await mlops_api("GET", f"runs/{long_run}/metrics/loss", params={"max_points": 50})
    assert long["points"] == single.json()["points"]


async def test_histories_refuse_a_bad_run_list(mlops_api: ApiCall) -> None:
    run_id = (await create_run(mlops_api))["info"]["run_id"]
    too_many = [("run_ids", run_id)] * 101 + [("key", "loss")]
    for params in (too_many, [("run_ids", "not-a-run"), ("key", "loss")]):
        response = await mlops_api("GET", "runs/metric-histories", params=params, validate=False)
        assert response.status == 400, params
        assert response.json()["error"]["code"] == "INVALID_PARAMETER_VALUE"
        assert response.json()["error"]["field"].startswith("run_ids")
