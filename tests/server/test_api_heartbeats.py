"""Run heartbeats over REST: the run's user (or an admin) says the run is alive."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from server_support import ApiCall, TokenUsers, as_user
from traitlets.config import Config

ALICE, BOB, ROOT = as_user("alice"), as_user("bob"), as_user("root")


@pytest.fixture
def mlops_identity_config() -> dict[str, Any]:
    return {"identity_provider_class": TokenUsers}


@pytest.fixture
def mlops_extension_config() -> dict[str, Any]:
    return {"admin_users": {"root"}}


@pytest.fixture
def jp_server_config(jp_server_config: Config) -> Config:
    """The dead-run sweep every second (a quarter of the timeout, at least 1 s)."""
    jp_server_config.Tracking.heartbeat_timeout = 1.0
    return jp_server_config


async def test_the_runs_user_and_admins_may_send_heartbeats(mlops_api: ApiCall) -> None:
    run = await mlops_api("POST", "runs", json={}, headers=ALICE)
    run_id = run.json()["run"]["info"]["run_id"]

    assert (await mlops_api("POST", f"runs/{run_id}/heartbeat", headers=ALICE)).status == 204
    assert (await mlops_api("POST", f"runs/{run_id}/heartbeat", headers=ROOT)).status == 204
    refused = await mlops_api("POST", f"runs/{run_id}/heartbeat", headers=BOB)
    assert refused.status == 403


async def test_a_heartbeat_of_an_unknown_run_is_404(mlops_api: ApiCall) -> None:
    response = await mlops_api("POST", f"runs/{'0' * 32}/heartbeat", headers=ALICE)
    assert response.status == 404


async def test_the_server_kills_a_silent_run_and_a_late_heartbeat_revives_it(
    mlops_api: ApiCall,
) -> None:
    run = await mlops_api("POST", "runs", json={}, headers=ALICE)
    run_id = run.json()["run"]["info"]["run_id"]
    await mlops_api("POST", f"runs/{run_id}/heartbeat", headers=ALICE)
    silent = await mlops_api("POST", "runs", json={}, headers=ALICE)  # never beats

    await asyncio.sleep(2.5)  # past the timeout, then at least one sweep

    dead = (await mlops_api("GET", f"runs/{run_id}", headers=ALICE)).json()["run"]
    assert dead["info"]["status"] == "KILLED"
    assert dead["tags"]["mlops.end_reason"] == "heartbeat lost"
    silent_id = silent.json()["run"]["info"]["run_id"]
    never = await mlops_api("GET", f"runs/{silent_id}", headers=ALICE)
    assert never.json()["run"]["info"]["status"] == "RUNNING"

    await mlops_api("POST", f"runs/{run_id}/heartbeat", headers=ALICE)
    alive = (await mlops_api("GET", f"runs/{run_id}", headers=ALICE)).json()["run"]
    assert alive["info"]["status"] == "RUNNING"
    assert "mlops.end_reason" not in alive["tags"]
