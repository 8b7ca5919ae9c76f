"""``mlops.pipelines.schedule(...)`` from a kernel: the Python helper over REST against a
real jupyter server (pytest-jupyter, local backend), and its refusal on a store URI.

The helper blocks, so it runs in a thread while the server answers on the test's loop.
Schedules are fired through the service's ``fire_due_schedules(now)`` with a ``now`` at
the schedule's fire time, the way the server's scheduler thread fires them, instead of
waiting for the clock.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pipeline_support import server_config
from traitlets.config import Config

import jupyter_mlops as mlops
from jupyter_mlops.errors import InvalidParameter, NotFound
from jupyter_mlops.server.extension import ENV_TOKEN, ENV_TRACKING_URI

pytestmark = pytest.mark.slow
T = TypeVar("T")
YEARLY = "0 0 1 1 *"  # never due while a test runs: only the test fires it


@mlops.step
def quadruple(x: int) -> int:
    return 4 * x


@mlops.pipeline
def quadrupler(x: int = 1):
    return quadruple(x=x)


@pytest.fixture
def jp_server_config(tmp_path: Path) -> Config:
    # The test fires schedules itself; the scheduler thread must not.
    return server_config(tmp_path, default_user="owner", Pipelines={"schedule_interval": 3600.0})


@pytest.fixture
def mlops_kernel_of_server(
    jp_serverapp: Any,
    http_server_client: Any,
    jp_http_port: int,
    jp_base_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Any:
    """What a kernel started by the server sees: its URL and token (``http_server_client``
    makes the server listen on its port). Returns the pipeline service."""
    monkeypatch.setenv(ENV_TRACKING_URI, f"http://127.0.0.1:{jp_http_port}{jp_base_url}")
    monkeypatch.setenv(ENV_TOKEN, jp_serverapp.identity_provider.token)
    return jp_serverapp.web_app.settings["mlops_pipeline_service"]


async def _in_thread(function: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


async def test_a_schedule_from_a_cell_is_listed_paused_resumed_fired_and_deleted(
    mlops_kernel_of_server: Any,
) -> None:
    service = mlops_kernel_of_server
    pipelines = mlops.pipelines

    # Given a run submitted by hand, which no schedule's runs() may list,
    direct = await _in_thread(lambda: pipelines.submit(quadrupler, arguments={"x": 1}))
    # when a cell schedules the pipeline,
    created = await _in_thread(
        lambda: pipelines.schedule(
            quadrupler, cron=YEARLY, arguments={"x": 4}, name="new year", policy="queue"
        )
    )

    # then the server has it, with the fields given and its next fire time.
    assert (created.name, created.pipeline_name, created.cron) == ("new year", "quadrupler", YEARLY)
    assert (created.policy, created.enabled, created.backend) == ("queue", True, "local")
    assert created.arguments == {"x": 4}
    next_year = datetime.now(timezone.utc).year + 1
    assert created.next_fire_time == datetime(next_year, 1, 1, tzinfo=timezone.utc)
    assert created.last_run is None
    assert await _in_thread(created.runs) == []
    listed = await _in_thread(pipelines.list_schedules)
    assert [s.schedule_id for s in listed] == [created.schedule_id]
    fetched = await _in_thread(pipelines.get_schedule, int(created.schedule_id))
    assert (fetched.name, fetched.cron, fetched.owner) == ("new year", YEARLY, "owner")

    # Paused: the server starts nothing, even long after its fire time.
    paused = await _in_thread(created.pause)
    assert paused is created and created.enabled is False and created.next_fire_time is None
    assert (await _in_thread(fetched.refresh)).enabled is False
    years_later = _ms(datetime(next_year + 5, 1, 2, tzinfo=timezone.utc))
    assert await _in_thread(service.fire_due_schedules, years_later) == []

    # Resumed: the next fire time is back, and at that time the server starts a run.
    await _in_thread(created.resume)
    assert created.enabled is True and created.next_fire_time is not None
    fire_time = created.next_fire_time
    [started] = await _in_thread(service.fire_due_schedules, _ms(fire_time))

    await _in_thread(created.refresh)
    assert created.last_run_id == started
    assert created.next_fire_time is not None and created.next_fire_time > fire_time
    runs = await _in_thread(created.runs)
    assert [run.run_id for run in runs] == [started]
    run = runs[0]
    assert await _in_thread(run.wait, 60) == "SUCCEEDED"
    assert run.outputs == {"Output": 16}
    [listed_run] = await _in_thread(created.runs)  # a finished run, as a listing has it
    steps = await _in_thread(lambda: listed_run.steps)
    assert steps["quadruple"].outputs == {"Output": 16}
    last = await _in_thread(lambda: created.last_run)
    assert last is not None and last.run_id == started
    assert direct.run_id not in {r.run_id for r in runs}

    # Deleted: gone from the server; the run it started stays.
    await _in_thread(created.delete)
    assert await _in_thread(pipelines.list_schedules) == []
    with pytest.raises(NotFound) as missing:
        await _in_thread(pipelines.get_schedule, created.schedule_id)
    assert missing.value.field == "schedule_id"
    kept = await _in_thread(pipelines.get_run, started)
    assert kept.state == "SUCCEEDED"


@pytest.mark.parametrize(
    ("keywords", "field"),
    [
        ({"cron": "every minute"}, "cron"),
        ({"cron": "61 * * * *"}, "cron"),
        ({"cron": YEARLY, "policy": "sometimes"}, "policy"),
        ({"cron": YEARLY, "arguments": {"x": "four"}}, "arguments.x"),
        ({"cron": YEARLY, "backend": "nowhere"}, "backend"),
    ],
)
async def test_bad_input_is_refused_by_the_server_naming_the_field(
    mlops_kernel_of_server: Any, keywords: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidParameter) as refused:
        await _in_thread(lambda: mlops.pipelines.schedule(quadrupler, **keywords))

    assert refused.value.field == field
    assert await _in_thread(mlops.pipelines.list_schedules) == []


async def test_listing_runs_by_a_schedule_id_that_is_no_number_is_refused(
    jp_fetch: Any, mlops_kernel_of_server: Any
) -> None:
    response = await jp_fetch(
        "mlops", "api", "pipeline-runs", params={"schedule_id": "nightly"}, raise_error=False
    )

    assert response.code == 400
    assert json.loads(response.body)["error"]["field"] == "schedule_id"


def test_with_a_store_uri_schedules_are_refused_saying_a_server_fires_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "mlops.db"
    monkeypatch.setenv(ENV_TRACKING_URI, f"sqlite:///{store}")
    monkeypatch.delenv(ENV_TOKEN, raising=False)

    for call in (
        lambda: mlops.pipelines.schedule(quadrupler, cron=YEARLY),
        mlops.pipelines.list_schedules,
        lambda: mlops.pipelines.get_schedule(1),
    ):
        with pytest.raises(InvalidParameter) as refused:
            call()
        assert refused.value.field == "tracking_uri"
        assert "need a jupyter-mlops server" in refused.value.message

    assert not store.exists()  # refused before opening (and creating) the store
