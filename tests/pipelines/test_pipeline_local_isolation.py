"""What local pipeline steps run as and with, on a real server: an allowlisted environment
(no server token, no store URI), an API token of the run's owner issued for the run and
revoked when it ends, logging and outputs over REST; in multi-user mode, each step as its
owner's OS account (real accounts, created as root), unable to read the server's files."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import psutil
import pytest
from pipeline_support import (
    call_api,
    header_users,
    nap_pipeline,
    server_config,
    step_log,
    wait_for_run,
)
from traitlets.config import Config

import jupyter_mlops as mlops
from jupyter_mlops.processes import OsAccount
from jupyter_mlops.server.extension import ENV_TOKEN, ENV_TRACKING_URI

pytestmark = pytest.mark.slow

#: What a server's environment may hold, that no step may see.
SERVER_TOKEN = "the-servers-own-jupyter-token-0123456789"
DATABASE_URL = "postgresql://mlops:db-password@db.internal/mlops"
TOKEN_IN_ENVIRONMENT = re.compile(r'"JUPYTER_MLOPS_TOKEN": "([^"]+)"')


# -- steps (module level: their source is shipped to the runner) --------------------------
@mlops.step(cache=False)
def shows_environment(paths: list) -> dict:
    # Prints its whole environment, and its parent's as /proc shows it (the fork server's
    # in single-user mode), asks the API who its token is, and tries the server's files.
    import json
    import os
    import urllib.request

    print("ENVIRONMENT", json.dumps(dict(os.environ), sort_keys=True))
    parent = os.getppid()
    for label, path in (("SELF", "/proc/self/environ"), ("PARENT", f"/proc/{parent}/environ")):
        try:
            with open(path, "rb") as handle:
                text = handle.read().replace(b"\0", b"\n").decode(errors="replace")
            print(label, text)
        except OSError as exc:
            print(label, type(exc).__name__)
    with open(f"/proc/{parent}/cmdline", "rb") as handle:
        parent_command = handle.read().replace(b"\0", b" ").decode()
    request = urllib.request.Request(
        os.environ["JUPYTER_MLOPS_TRACKING_URI"] + "mlops/api/me",
        headers={"Authorization": "token " + os.environ["JUPYTER_MLOPS_TOKEN"]},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30) as response:
        me = json.load(response)
    readable = {}
    for path in paths:
        try:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                open(path, "rb").close()
            readable[path] = "yes"
        except OSError as exc:
            readable[path] = type(exc).__name__
    folder = os.stat(".")
    return {
        "uid": os.getuid(),
        "gid": os.getgid(),
        "home": os.environ.get("HOME"),
        "me": me,
        "parent": parent_command,
        "readable": readable,
        "folder": {"uid": folder.st_uid, "mode": folder.st_mode & 0o777},
    }


@mlops.pipeline
def environment_probe(paths: list):
    return shows_environment(paths=paths)


@mlops.step(cache=False)
def fails_once(marker: str) -> str:
    import os

    print("TOKEN", os.environ["JUPYTER_MLOPS_TOKEN"])
    if not os.path.exists(marker):
        open(marker, "w").close()
        raise RuntimeError("the first run fails")
    return "ok"


@mlops.pipeline
def fails_the_first_time(marker: str):
    return fails_once(marker=marker)


@mlops.step
def double(x: int) -> int:
    return 2 * x


@mlops.step(cache=False, retries=1, retry_backoff=0.1)
def flaky_total(values: list, marker: str) -> int:
    import os

    if not os.path.exists(marker):
        open(marker, "w").close()
        raise RuntimeError("the first attempt fails")
    return sum(values)


@mlops.pipeline
def fan_in_with_a_retry(items: list, marker: str):
    for item in mlops.parallel_for(items):
        doubled = double(x=item)
    return flaky_total(values=doubled, marker=marker)


@mlops.step(cache=False)
def logs_its_input(x: int) -> None:
    import jupyter_mlops as mlops

    mlops.log_metric("x", x)


@mlops.step(cache=False, timeout=5)
def leaves_a_sleeper() -> None:
    import subprocess
    import time

    sleeper = subprocess.Popen(["sleep", "60"])
    print(f"SLEEPER {sleeper.pid}", flush=True)
    time.sleep(60)


@mlops.pipeline
def sleeper_pipeline():
    leaves_a_sleeper()


@mlops.step(cache=False)
def replaces_its_status_file(target: str) -> None:
    import os

    # The runner reports its status in status.json of the step's folder (its cwd).
    if os.path.lexists("status.json"):
        os.remove("status.json")
    os.symlink(target, "status.json")
    raise RuntimeError("fails, so that the server reads the status file")


@mlops.pipeline
def status_link_pipeline(target: str):
    replaces_its_status_file(target=target)


# -- fixtures and helpers ------------------------------------------------------------------
@pytest.fixture
def mlops_server_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server starts with its token and a database URL in its environment (as one
    started with ``JUPYTER_TOKEN=... jupyter lab`` would), and exports its kernels' own."""
    monkeypatch.setenv("JUPYTER_TOKEN", SERVER_TOKEN)
    monkeypatch.setenv("DATABASE_URL", DATABASE_URL)
    monkeypatch.delenv(ENV_TRACKING_URI, raising=False)
    monkeypatch.delenv(ENV_TOKEN, raising=False)


def _server(tmp_path: Path, server: dict[str, Any] | None = None, **mlops: Any) -> Config:
    config = server_config(tmp_path, server, **mlops)
    config.IdentityProvider.token = SERVER_TOKEN
    return config


def _paths(tmp_path: Path) -> dict[str, str]:
    return {"store": str(tmp_path / "store" / "mlops.db"), "artifacts": str(tmp_path / "artifacts")}


async def _submit(jp_fetch: Any, token: str, pipeline: Any, **arguments: Any) -> str:
    status, body = await call_api(
        jp_fetch,
        "POST",
        "pipeline-runs",
        token,
        {"spec": pipeline.compile(), "arguments": arguments, "backend": "local"},
    )
    assert status == 201, body
    return str(body["run"]["run_id"])


def _token_in(log: str) -> str:
    found = TOKEN_IN_ENVIRONMENT.search(log) or re.search(r"^TOKEN (\S+)$", log, re.M)
    assert found is not None, log
    return found.group(1)


def _assert_no_server_secret(log: str, *secrets: str) -> None:
    for secret in (SERVER_TOKEN, DATABASE_URL, "JUPYTER_TOKEN", "sqlite:", "postgresql", *secrets):
        assert secret not in log, f"{secret!r} reached the step"


async def _assert_revoked(jp_fetch: Any, token: str) -> None:
    """The token stops working as the run's driver leaves, right after the run ends."""
    deadline = time.monotonic() + 15
    while True:
        status, _ = await call_api(jp_fetch, "GET", "me", token)
        if status == 403:
            return
        assert status == 200
        assert time.monotonic() < deadline, "the run's token still works after the run"
        await asyncio.sleep(0.1)


async def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 15
    while True:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        assert time.monotonic() < deadline, f"process {pid} still runs"
        await asyncio.sleep(0.05)


PROBE_FILE = (
    "import json, os\n"
    "with open('probe.json', 'w') as out:\n"
    "    json.dump({'uid': os.getuid(), 'environment': dict(os.environ)}, out)\n"
)


async def _compile_probe(jp_fetch: Any, jp_serverapp: Any, token: str) -> tuple[int, Any, Path]:
    """Ask the server to compile a file whose import records who ran it, and with what."""
    root = Path(jp_serverapp.root_dir)
    (root / "probe.py").write_text(PROBE_FILE, encoding="utf-8")
    status, body = await call_api(
        jp_fetch, "POST", "pipelines/compile", token, {"path": "probe.py"}
    )
    return status, body, root / "probe.json"


# -- single-user mode ----------------------------------------------------------------------
class TestSingleUser:
    @pytest.fixture
    def jp_server_config(self, tmp_path: Path, mlops_server_environment: None) -> Config:
        return _server(tmp_path, default_user="owner")

    async def test_compiling_a_file_runs_its_code_without_the_servers_secrets(
        self, jp_fetch: Any, jp_serverapp: Any
    ) -> None:
        status, body, record = await _compile_probe(jp_fetch, jp_serverapp, SERVER_TOKEN)

        assert status == 400 and "defines no @pipeline" in body["error"]["message"], body
        probe = json.loads(record.read_text(encoding="utf-8"))
        assert probe["uid"] == os.getuid()  # single-user: the server's own account
        seen = json.dumps(probe["environment"])
        assert SERVER_TOKEN not in seen and DATABASE_URL not in seen
        assert not {"JUPYTER_TOKEN", "DATABASE_URL", ENV_TOKEN} & set(probe["environment"])

    async def test_a_step_sees_no_server_secret_and_acts_with_a_token_of_its_run(
        self, jp_fetch: Any, jp_serverapp: Any, tmp_path: Path
    ) -> None:
        kernel_token = await _exported_kernel_token()
        # When a step prints its environment, and the fork server's it was forked from
        paths = _paths(tmp_path)
        run_id = await _submit(
            jp_fetch, SERVER_TOKEN, environment_probe, paths=list(paths.values())
        )
        run = await wait_for_run(jp_fetch, run_id, SERVER_TOKEN)
        assert run["state"] == "SUCCEEDED", run["message"]
        seen = run["outputs"]["Output"]
        log = await step_log(jp_fetch, run_id, "shows-environment", SERVER_TOKEN)

        # Then its log holds none of the server's secrets, nor its store's URI ...
        _assert_no_server_secret(log, kernel_token, paths["store"])
        assert "--fork-server" in seen["parent"]
        assert log.count("JUPYTER_MLOPS_TRACKING_URI=") == 2  # both /proc environs were read
        assert "JUPYTER_MLOPS_TOKEN=" not in log  # the fork server's has no token
        # ... its token is an API token of the run's owner, of this run only
        token = _token_in(log)
        assert token.startswith("mlops_") and token != kernel_token
        assert seen["me"]["user"] == "owner"
        await _assert_revoked(jp_fetch, token)

    async def test_a_retry_gets_a_fresh_token_and_each_is_revoked_when_the_run_ends(
        self, jp_fetch: Any, tmp_path: Path
    ) -> None:
        run_id = await _submit(
            jp_fetch, SERVER_TOKEN, fails_the_first_time, marker=str(tmp_path / "marker")
        )
        run = await wait_for_run(jp_fetch, run_id, SERVER_TOKEN)
        assert run["state"] == "FAILED"
        first = _token_in(await step_log(jp_fetch, run_id, "fails-once", SERVER_TOKEN))
        await _assert_revoked(jp_fetch, first)

        status, body = await call_api(
            jp_fetch, "POST", f"pipeline-runs/{run_id}/retry", SERVER_TOKEN, {}
        )
        assert status == 200, body
        run = await wait_for_run(jp_fetch, run_id, SERVER_TOKEN)
        assert run["state"] == "SUCCEEDED", run["message"]
        second = _token_in(await step_log(jp_fetch, run_id, "fails-once", SERVER_TOKEN))
        assert second.startswith("mlops_") and second != first
        await _assert_revoked(jp_fetch, second)

    async def test_outputs_fan_in_and_retries_go_through_the_api(
        self, jp_fetch: Any, tmp_path: Path
    ) -> None:
        run_id = await _submit(
            jp_fetch,
            SERVER_TOKEN,
            fan_in_with_a_retry,
            items=[1, 2, 3],
            marker=str(tmp_path / "marker"),
        )
        run = await wait_for_run(jp_fetch, run_id, SERVER_TOKEN)

        assert run["state"] == "SUCCEEDED", run["message"]
        assert run["outputs"] == {"Output": 12}
        steps = {step["step_id"]: step for step in run["steps"]}
        assert steps["flaky-total"]["inputs"]["values"] == [2, 4, 6]
        assert steps["flaky-total"]["attempt"] == 2
        log = await step_log(jp_fetch, run_id, "flaky-total", SERVER_TOKEN)
        assert "the first attempt fails" in log and "--- attempt 2 ---" in log

    async def test_shell_notebook_and_logging_steps_work_over_rest(
        self, jp_fetch: Any, tmp_path: Path
    ) -> None:
        notebook = nbformat.v4.new_notebook()
        parameters = nbformat.v4.new_code_cell("factor = 1")
        parameters.metadata["tags"] = ["parameters"]
        notebook.cells = [
            parameters,
            nbformat.v4.new_code_cell(
                "from jupyter_mlops.pipelines import set_output\nset_output('result', factor * 21)"
            ),
        ]
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nbformat.write(notebook, str(tmp_path / "train.ipynb"))
        train = mlops.notebook_step(
            tmp_path / "train.ipynb", parameters={"factor": int}, outputs={"result": int}
        )
        count = mlops.shell_step(
            "count",
            "printf '%s' {{inputs.word}} | wc -c > {{outputs.length}}",
            inputs={"word": str},
            outputs={"length": int},
        )

        @mlops.pipeline
        def kinds(word: str = "pipelines"):
            length = count(word=word).outputs["length"]
            logs_its_input(x=length)
            return train(factor=length)

        run_id = await _submit(jp_fetch, SERVER_TOKEN, kinds)
        run = await wait_for_run(jp_fetch, run_id, SERVER_TOKEN, timeout=180)

        assert run["state"] == "SUCCEEDED", run["message"]
        assert run["outputs"] == {"result": 189}
        steps = {step["step_id"]: step for step in run["steps"]}
        # The executed notebook was uploaded to the step's run; the metric logged to its own
        status, listing = await call_api(
            jp_fetch,
            "GET",
            f"runs/{steps['train']['tracking_run_id']}/artifacts",
            SERVER_TOKEN,
            params={"path": "notebook"},
        )
        assert status == 200, listing
        assert [f["path"] for f in listing["files"]] == ["notebook/train.ipynb"]
        status, body = await call_api(
            jp_fetch, "GET", f"runs/{steps['logs-its-input']['tracking_run_id']}", SERVER_TOKEN
        )
        assert body["run"]["metrics"]["x"]["value"] == 9
        assert body["run"]["info"]["user"] == "owner"


async def _exported_kernel_token() -> str:
    """The API token the server exported for its kernels (once its start-up work ran)."""
    deadline = time.monotonic() + 15
    while not os.environ.get(ENV_TOKEN):
        assert time.monotonic() < deadline, "the server exported no kernel token"
        await asyncio.sleep(0.05)
    return os.environ[ENV_TOKEN]


# -- multi-user mode -----------------------------------------------------------------------
class TestMultiUserWithoutAccount:
    @pytest.fixture
    def jp_server_config(self, tmp_path: Path, mlops_server_environment: None) -> Config:
        return _server(
            tmp_path,
            {"identity_provider_class": header_users()},
            user_mode="multi-user",
            local_account_template="mlops-{username}",
        )

    async def test_a_user_without_an_account_is_refused_at_submit_naming_kubernetes(
        self, jp_fetch: Any
    ) -> None:
        assert "mlops-carol" not in {user.name for user in psutil.users()}
        status, body = await call_api(
            jp_fetch,
            "POST",
            "pipeline-runs",
            "carol-token",
            {"spec": nap_pipeline.compile(), "backend": "local"},
        )

        assert status == 403, body
        assert body["error"]["code"] == "PERMISSION_DENIED"
        assert "Kubernetes" in body["error"]["message"]
        status, listing = await call_api(jp_fetch, "GET", "pipeline-runs", "carol-token")
        assert status == 200 and listing["runs"] == []

    async def test_a_user_without_an_account_may_not_compile_files(
        self, jp_fetch: Any, jp_serverapp: Any
    ) -> None:
        status, body, record = await _compile_probe(jp_fetch, jp_serverapp, "carol-token")

        assert status == 403 and "Kubernetes" in body["error"]["message"], body
        assert not record.exists()

    async def test_a_schedule_of_a_user_without_an_account_is_paused_when_due(
        self, jp_fetch: Any, jp_serverapp: Any
    ) -> None:
        status, body = await call_api(
            jp_fetch,
            "POST",
            "pipeline-schedules",
            "carol-token",
            {"spec": nap_pipeline.compile(), "cron": "* * * * *", "backend": "local"},
        )
        assert status == 201, body
        schedule = body["schedule"]
        service = jp_serverapp.web_app.settings["mlops_pipeline_service"]

        started = await asyncio.get_running_loop().run_in_executor(
            None, service.fire_due_schedules, schedule["next_fire_time"] + 60_000
        )

        assert started == []
        status, body = await call_api(
            jp_fetch, "GET", f"pipeline-schedules/{schedule['schedule_id']}", "carol-token"
        )
        assert status == 200 and body["schedule"]["enabled"] is False


class TestMultiUser:
    @pytest.fixture
    def jp_server_config(
        self,
        tmp_path: Path,
        mlops_server_environment: None,
        mlops_os_accounts: dict[str, OsAccount],
    ) -> Config:
        return _server(
            tmp_path,
            {"identity_provider_class": header_users()},
            user_mode="multi-user",
            local_account_template="mlops-{username}",
        )

    @pytest.fixture
    def alices_folder(self, mlops_os_accounts: dict[str, OsAccount]) -> Iterator[Path]:
        """A folder of alice's own, outside the server's (which she cannot reach)."""
        folder = Path(tempfile.mkdtemp(prefix="mlops-alice-"))
        mlops_os_accounts["mlops-alice"].owns(folder)
        yield folder
        shutil.rmtree(folder, ignore_errors=True)

    async def test_compiling_a_file_runs_its_code_as_the_caller_not_the_server(
        self, jp_fetch: Any, jp_serverapp: Any
    ) -> None:
        # The server's root folder is the server's own (0700): alice's account cannot even
        # read the file, let alone run it as the server.
        status, body, record = await _compile_probe(jp_fetch, jp_serverapp, "alice-token")

        assert status == 400 and "Permission denied" in body["error"]["message"], body
        assert not record.exists()

    async def test_each_step_runs_as_its_owner_with_its_token_and_no_server_secret(
        self, jp_fetch: Any, tmp_path: Path, mlops_os_accounts: dict[str, OsAccount]
    ) -> None:
        paths = _paths(tmp_path)
        runs = {
            user: await _submit(
                jp_fetch, f"{user}-token", environment_probe, paths=list(paths.values())
            )
            for user in ("alice", "bob")
        }
        for user, run_id in runs.items():
            account = mlops_os_accounts[f"mlops-{user}"]
            run = await wait_for_run(jp_fetch, run_id, f"{user}-token")
            assert run["state"] == "SUCCEEDED", run["message"]
            seen = run["outputs"]["Output"]
            log = await step_log(jp_fetch, run_id, "shows-environment", f"{user}-token")

            # The step ran as the owner's account, in a folder of its own ...
            assert (seen["uid"], seen["gid"], seen["home"]) == (
                account.uid,
                account.gid,
                account.home,
            )
            assert seen["folder"] == {"uid": account.uid, "mode": 0o700}
            # ... and could read neither the store nor the artifacts, nor the server's environ
            assert seen["readable"] == {
                paths["store"]: "PermissionError",
                paths["artifacts"]: "PermissionError",
            }
            assert "PARENT PermissionError" in log
            _assert_no_server_secret(log, paths["store"])
            # Its token is the owner's (no admin), and ends with the run
            assert seen["me"] == {"user": user, "is_admin": False, "mode": "multi-user"}
            token = _token_in(log)
            assert token.startswith("mlops_")
            await _assert_revoked(jp_fetch, token)

    async def test_outputs_fan_in_and_retries_work_as_the_owner(
        self, jp_fetch: Any, alices_folder: Path
    ) -> None:
        run_id = await _submit(
            jp_fetch,
            "alice-token",
            fan_in_with_a_retry,
            items=[1, 2, 3],
            marker=str(alices_folder / "marker"),
        )
        run = await wait_for_run(jp_fetch, run_id, "alice-token")

        assert run["state"] == "SUCCEEDED", run["message"]
        assert run["outputs"] == {"Output": 12}
        steps = {step["step_id"]: step for step in run["steps"]}
        assert steps["flaky-total"]["attempt"] == 2

    async def test_a_timeout_and_a_cancel_kill_the_steps_of_an_account(
        self, jp_fetch: Any, mlops_os_accounts: dict[str, OsAccount]
    ) -> None:
        alice = mlops_os_accounts["mlops-alice"]
        run_id = await _submit(jp_fetch, "alice-token", sleeper_pipeline)
        run = await wait_for_run(jp_fetch, run_id, "alice-token")
        assert run["state"] == "FAILED"
        assert run["steps"][0]["message"] == "timed out after 5s"
        log = await step_log(jp_fetch, run_id, "leaves-a-sleeper", "alice-token")
        found = re.search(r"SLEEPER (\d+)", log)
        assert found is not None, log
        await _wait_gone(int(found.group(1)))

        run_id = await _submit(jp_fetch, "alice-token", nap_pipeline)
        pid = await _running_pid(jp_fetch, run_id, "alice-token")
        assert psutil.Process(pid).uids().real == alice.uid
        status, body = await call_api(
            jp_fetch, "POST", f"pipeline-runs/{run_id}/cancel", "alice-token", {}
        )
        assert status == 200, body
        run = await wait_for_run(jp_fetch, run_id, "alice-token")
        assert run["state"] == "CANCELED"
        await _wait_gone(pid)

    async def test_a_status_file_replaced_by_a_link_is_not_followed(
        self, jp_fetch: Any, tmp_path: Path
    ) -> None:
        # Given a file only the server may read, that looks like a status
        secret = tmp_path / "secret.json"
        secret.write_text('{"error": "TOPSECRET"}', encoding="utf-8")
        secret.chmod(stat.S_IRUSR | stat.S_IWUSR)
        # When alice's step replaces its status file with a link to it, and fails
        run_id = await _submit(jp_fetch, "alice-token", status_link_pipeline, target=str(secret))
        run = await wait_for_run(jp_fetch, run_id, "alice-token")

        # Then the server did not read through the link
        assert run["state"] == "FAILED"
        step = run["steps"][0]
        assert "TOPSECRET" not in step["message"]
        assert step["message"] == "the step runner exited with code 1"


async def _running_pid(jp_fetch: Any, run_id: str, token: str) -> int:
    deadline = time.monotonic() + 30
    while True:
        status, body = await call_api(jp_fetch, "GET", f"pipeline-runs/{run_id}", token)
        assert status == 200, body
        ref = (body["run"]["steps"] or [{}])[0].get("backend_ref")
        if ref:
            return int(ref.removeprefix("pid:"))
        assert time.monotonic() < deadline, body
        await asyncio.sleep(0.05)
