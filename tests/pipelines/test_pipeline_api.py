"""The pipelines REST API on a real jupyter server (pytest-jupyter) with the local
backend: every response is validated against the shipped OpenAPI document."""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import yaml
from jupyter_server.utils import url_path_join
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from pipeline_support import server_config
from traitlets.config import Config

import jupyter_mlops as mlops
from jupyter_mlops.server.extension import ENV_TOKEN, ENV_TRACKING_URI, OPENAPI_PATH

pytestmark = pytest.mark.slow


@mlops.step
def double(x: int) -> int:
    print(f"doubling {x}")
    return 2 * x


@mlops.step
def crash(x: int) -> int:
    raise RuntimeError(f"boom {x}")


@mlops.pipeline
def doubler(x: int = 3):
    return double(x=double(x=x))


@mlops.pipeline
def crasher(x: int = 1):
    double(x=crash(x=x))


@pytest.fixture
def jp_server_config(tmp_path: Path) -> Config:
    return server_config(tmp_path, default_user="owner", Pipelines={"parallelism": 2})


@pytest.fixture(autouse=True)
def mlops_kernel_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_TRACKING_URI, raising=False)
    monkeypatch.delenv(ENV_TOKEN, raising=False)


@pytest.fixture(scope="module")
def mlops_openapi() -> OpenAPI:
    return OpenAPI.from_dict(yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8")))


class Api:
    def __init__(
        self, client: Any, headers: dict[str, str], base_url: str, openapi: OpenAPI
    ) -> None:
        self.client, self.headers, self.base_url, self.openapi = client, headers, base_url, openapi

    async def __call__(
        self, method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        headers = dict(self.headers)
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif method == "POST":
            body = b"{}"
            headers["Content-Type"] = "application/json"
        query = urllib.parse.urlencode(params or {})
        url = url_path_join(self.base_url, "mlops/api", path) + (f"?{query}" if query else "")
        response = await self.client.fetch(
            url, method=method, headers=headers, body=body, raise_error=False, request_timeout=60
        )
        request = MockRequest(
            "http://localhost",
            method,
            "/mlops/api/" + urllib.parse.unquote(path).replace("[", "%5B").replace("]", "%5D"),
            args=[(k, str(v)) for k, v in (params or {}).items()],  # type: ignore[arg-type]
            headers=headers,
            data=body,
            content_type=headers.get("Content-Type", "application/json"),
        )
        if response.body:
            self.openapi.validate_response(
                request,
                MockResponse(
                    data=response.body,
                    status_code=response.code,
                    headers=dict(response.headers.get_all()),
                    content_type="application/json",
                ),
            )
        return response.code, json.loads(response.body) if response.body else None


@pytest.fixture
def api(
    jp_serverapp: Any,
    http_server_client: Any,
    jp_auth_header: dict[str, str],
    jp_base_url: str,
    mlops_openapi: OpenAPI,
) -> Api:
    return Api(http_server_client, jp_auth_header, jp_base_url, mlops_openapi)


async def _wait(api: Api, run_id: str, timeout: float = 60) -> dict[str, Any]:
    for _ in range(int(timeout / 0.1)):
        status, body = await api("GET", f"pipeline-runs/{run_id}")
        assert status == 200, body
        if body["run"]["state"] in ("SUCCEEDED", "FAILED", "CANCELED"):
            run: dict[str, Any] = body["run"]
            return run
        await asyncio.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish")


async def test_submit_get_list_and_logs(api: Api) -> None:
    status, body = await api(
        "POST", "pipeline-runs", json_body={"spec": doubler.compile(), "arguments": {"x": 5}}
    )
    assert status == 201, body
    run_id = body["run"]["run_id"]
    assert body["run"]["owner"] == "owner"

    run = await _wait(api, run_id)

    assert run["state"] == "SUCCEEDED"
    assert run["outputs"] == {"Output": 20}
    assert {step["step_id"]: step["outputs"] for step in run["steps"]} == {
        "double": {"Output": 10},
        "double-2": {"Output": 20},
    }
    status, listing = await api("GET", "pipeline-runs", params={"name": "doubler"})
    assert status == 200
    assert [r["run_id"] for r in listing["runs"]] == [run_id]
    assert "spec" not in listing["runs"][0]
    status, logs = await api(
        "GET", f"pipeline-runs/{run_id}/steps/double/logs", params={"since": 0}
    )
    assert status == 200
    assert "doubling 5" in logs["text"] and logs["complete"] is True
    status, more = await api(
        "GET", f"pipeline-runs/{run_id}/steps/double/logs", params={"since": logs["next"]}
    )
    assert more["text"] == ""


async def test_failure_is_visible_and_retry_from_failure_is_refused_for_success(api: Api) -> None:
    status, body = await api("POST", "pipeline-runs", json_body={"spec": crasher.compile()})
    run = await _wait(api, body["run"]["run_id"])

    assert run["state"] == "FAILED"
    assert "boom 1" in run["message"]
    states = {step["step_id"]: step["state"] for step in run["steps"]}
    assert states == {"crash": "FAILED", "double": "SKIPPED"}
    # A failed run can be retried (it fails again: the code did not change).
    status, retried = await api("POST", f"pipeline-runs/{run['run_id']}/retry")
    assert status == 200, retried
    again = await _wait(api, run["run_id"])
    assert again["state"] == "FAILED" and again["attempt"] == 2
    status, ok = await api("POST", "pipeline-runs", json_body={"spec": doubler.compile()})
    done = await _wait(api, ok["run"]["run_id"])
    status, refused = await api("POST", f"pipeline-runs/{done['run_id']}/retry")
    assert status == 409
    assert refused["error"]["field"] == "run_id"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "spec"),
        ({"spec": "nope"}, "spec"),
        ({"spec": {"schemaVersion": "jupyter-mlops.pipeline/v1"}}, "spec"),
        ({"spec": "DOUBLER", "arguments": {"x": "three"}}, "arguments.x"),
        ({"spec": "DOUBLER", "arguments": {"y": 1}}, "arguments.y"),
        ({"spec": "DOUBLER", "arguments": []}, "arguments"),
        ({"spec": "DOUBLER", "backend": "kubernetes"}, "backend"),
        ({"spec": "DOUBLER", "surprise": 1}, "surprise"),
    ],
)
async def test_bad_submissions_are_400_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    if body.get("spec") == "DOUBLER":
        body = {**body, "spec": doubler.compile()}
    status, answer = await api("POST", "pipeline-runs", json_body=body)
    assert status == 400, answer
    assert answer["error"]["field"] == field or answer["error"]["field"].startswith(field)


async def test_unknown_run_and_bad_ids(api: Api) -> None:
    status, answer = await api("GET", "pipeline-runs/" + "0" * 32)
    assert status == 404
    status, answer = await api("GET", "pipeline-runs/not-an-id!")
    assert status == 400 and answer["error"]["field"] == "run_id"
    status, answer = await api(
        "GET", "pipeline-runs/" + "0" * 32 + "/steps/x/logs", params={"since": -1}
    )
    assert status == 400 and answer["error"]["field"] == "since"


async def test_cancel_over_rest(api: Api) -> None:
    @mlops.step(cache=False)
    def nap(seconds: float) -> None:
        import time

        time.sleep(seconds)

    @mlops.pipeline
    def napping(seconds: float = 60.0):
        nap(seconds=seconds)

    status, body = await api("POST", "pipeline-runs", json_body={"spec": napping.compile()})
    run_id = body["run"]["run_id"]
    for _ in range(200):
        status, current = await api("GET", f"pipeline-runs/{run_id}")
        if current["run"]["steps"][0]["state"] == "RUNNING":
            break
        await asyncio.sleep(0.05)
    status, _ = await api("POST", f"pipeline-runs/{run_id}/cancel")
    assert status == 200
    run = await _wait(api, run_id)
    assert run["state"] == "CANCELED"
    assert run["steps"][0]["state"] == "CANCELED"
    status, _ = await api("POST", f"pipeline-runs/{run_id}/cancel")
    assert status == 409


async def test_compile_a_pipeline_file_then_submit_it_by_id(api: Api, jp_root_dir: Path) -> None:
    (jp_root_dir / "flows.py").write_text(
        "import jupyter_mlops as mlops\n\n"
        "@mlops.step\n"
        "def greet(name: str) -> str:\n"
        "    return 'hello ' + name\n\n"
        "@mlops.pipeline\n"
        "def greeting(name: str = 'world'):\n"
        "    return greet(name=name)\n"
    )
    status, body = await api("POST", "pipelines/compile", json_body={"path": "flows.py"})
    assert status == 201, body
    pipeline = body["pipelines"][0]
    assert pipeline["name"] == "greeting"
    parameters = pipeline["spec"]["root"]["inputDefinitions"]["parameters"]
    assert parameters["name"]["defaultValue"] == "world"

    status, body = await api(
        "POST",
        "pipeline-runs",
        json_body={"pipeline_id": pipeline["pipeline_id"], "arguments": {"name": "lab"}},
    )
    run = await _wait(api, body["run"]["run_id"])
    assert run["outputs"] == {"Output": "hello lab"}
    status, listing = await api("GET", "pipelines")
    assert [p["name"] for p in listing["pipelines"]] == ["greeting"]

    status, answer = await api("POST", "pipelines/compile", json_body={"path": "../outside.py"})
    assert status == 400 and answer["error"]["field"] == "path"
    (jp_root_dir / "broken.py").write_text("import nonexistent_module_xyz\n")
    status, answer = await api("POST", "pipelines/compile", json_body={"path": "broken.py"})
    assert status == 400 and "nonexistent_module_xyz" in answer["error"]["message"]


async def test_schedules_fire_and_skip_while_running(api: Api, jp_serverapp: Any) -> None:
    status, body = await api(
        "POST",
        "pipeline-schedules",
        json_body={"spec": doubler.compile(), "cron": "* * * * *", "arguments": {"x": 1}},
    )
    assert status == 201, body
    schedule = body["schedule"]
    assert schedule["policy"] == "skip" and schedule["enabled"] is True
    status, answer = await api(
        "POST", "pipeline-schedules", json_body={"spec": doubler.compile(), "cron": "every minute"}
    )
    assert status == 400 and answer["error"]["field"] == "cron"

    service = jp_serverapp.web_app.settings["mlops_pipeline_service"]
    far_future = schedule["next_fire_time"] + 10 * 60_000
    started = await asyncio.get_running_loop().run_in_executor(
        None, service.fire_due_schedules, far_future
    )
    assert len(started) == 1
    # Due again while its run may still run: with "skip", at most one active run.
    again = await asyncio.get_running_loop().run_in_executor(
        None, service.fire_due_schedules, far_future + 120_000
    )
    run = await _wait(api, started[0])
    assert run["schedule_id"] == schedule["schedule_id"]
    assert len(again) <= 1
    status, body = await api(
        "PATCH", f"pipeline-schedules/{schedule['schedule_id']}", json_body={"enabled": False}
    )
    assert status == 200 and body["schedule"]["enabled"] is False
    status, _ = await api("DELETE", f"pipeline-schedules/{schedule['schedule_id']}")
    assert status == 204


async def test_python_api_submits_over_rest_from_a_kernel(
    api: Api,
    jp_serverapp: Any,
    jp_http_port: int,
    jp_base_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What a kernel started by the server sees: the server's URL and token.
    monkeypatch.setenv(ENV_TRACKING_URI, f"http://127.0.0.1:{jp_http_port}{jp_base_url}")
    monkeypatch.setenv(ENV_TOKEN, jp_serverapp.identity_provider.token)

    def submit_and_wait() -> tuple[str, dict[str, Any], str]:
        handle = mlops.pipelines.submit(doubler, arguments={"x": 7})
        return handle.wait(timeout=60), handle.outputs, handle.logs("double")

    # The blocking client runs in a thread: the server answers on this test's loop.
    state, outputs, log = await asyncio.get_running_loop().run_in_executor(None, submit_and_wait)

    assert state == "SUCCEEDED"
    assert outputs == {"Output": 28}
    assert "doubling 7" in log
    status, listing = await api("GET", "pipeline-runs", params={"name": "doubler"})
    assert status == 200 and len(listing["runs"]) == 1
