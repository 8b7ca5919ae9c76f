"""The local backend end to end: real step-runner subprocesses, a real SQLite store,
real tracking runs and artifacts."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import NamedTuple

import nbformat
import psutil
import pytest
from pipeline_support import PipelineEnv, make_env, nap_pipeline

import jupyter_mlops as mlops
from jupyter_mlops.pipelines.spec import states
from jupyter_mlops.tracking.entities import RunStatus

pytestmark = pytest.mark.slow


# -- steps (module level: their source is shipped to the runner) --------------------------
@mlops.step
def add(a: int, b: int) -> int:
    print(f"adding {a} and {b}")
    return a + b


@mlops.step
def total(values: list) -> int:
    return sum(values)


@mlops.step
def explode(x: int) -> int:
    raise ValueError(f"cannot handle {x}")


class Split(NamedTuple):
    low: int
    high: int


@mlops.step
def split(x: int) -> Split:
    # The NamedTuple only declares the outputs; a plain tuple (or dict) returns them.
    return (x - 1, x + 1)  # type: ignore[return-value]


@mlops.step(cache=False)
def flaky(marker: str) -> str:
    # Fails on its first attempt only: the marker file tells attempts apart.
    import os

    if not os.path.exists(marker):
        open(marker, "w").close()
        raise RuntimeError("first attempt fails")
    return "ok"


@mlops.step(timeout=1, cache=False)
def sleepy(seconds: float) -> None:
    import time

    time.sleep(seconds)


@mlops.step(cache=False)
def logs_metric(x: int) -> int:
    import jupyter_mlops as mlops

    mlops.log_metric("score", x * 2.0)
    return x


@mlops.step
def stamp(path: str) -> str:
    # Records each real execution, so a cache hit is visible as a missing line.
    with open(path, "a") as handle:
        handle.write("ran\n")
    return "stamped"


@mlops.pipeline
def arithmetic(a: int = 1, b: int = 2):
    first = add(a=a, b=b)
    second = add(a=first, b=10)
    return {"sum": second, "parts": split(x=second).outputs["high"]}


def test_pipeline_succeeds_with_outputs_tracking_runs_and_logs(
    mlops_pipelines: PipelineEnv,
) -> None:
    env = mlops_pipelines
    run = env.service.submit(env.user, arithmetic.compile(), {"a": 5})
    run = env.wait(run.run_id)

    assert run.state == states.SUCCEEDED, run.message
    assert run.outputs == {"sum": 17, "parts": 18}
    steps = env.steps(run)
    assert steps["add"].outputs == {"Output": 7}
    assert steps["add-2"].inputs == {"a": 7, "b": 10}
    assert steps["split"].outputs == {"low": 16, "high": 18}
    # The pipeline run is a parent tracking run; each step a FINISHED child run with its
    # inputs as params and its outputs as artifacts.
    parent = env.tracking.get_run(env.user, run.tracking_run_id)
    assert parent.info.status is RunStatus.FINISHED
    assert parent.params["a"] == "5"
    child = env.tracking.get_run(env.user, steps["add"].tracking_run_id)
    assert child.info.status is RunStatus.FINISHED
    assert child.params == {"a": "5", "b": "2"}
    assert child.info.parent_run_id == run.tracking_run_id
    output_file = env.tracking.artifact_file(env.user, child.info.run_id, "outputs/Output.json")
    assert json.loads(output_file.read_text()) == 7
    logs = env.service.step_logs(env.user, run.run_id, "add", 0)
    assert "adding 5 and 2" in logs["text"]
    assert logs["complete"] is True
    # The cursor moves on: asking from the end gives nothing new.
    assert env.service.step_logs(env.user, run.run_id, "add", logs["next"])["text"] == ""


@mlops.pipeline
def failing():
    bad = explode(x=3)
    add(a=bad, b=1)
    add(a=1, b=1)


def test_failing_step_fails_the_run_and_skips_downstream(mlops_pipelines: PipelineEnv) -> None:
    env = mlops_pipelines
    run = env.wait(env.service.submit(env.user, failing.compile()).run_id)

    assert run.state == states.FAILED
    assert "cannot handle 3" in run.message
    steps = env.steps(run)
    assert steps["explode"].state == states.FAILED
    assert "ValueError: cannot handle 3" in steps["explode"].message
    assert steps["add"].state == states.SKIPPED
    assert "explode" in steps["add"].message
    # An independent branch still ran.
    assert steps["add-2"].state == states.SUCCEEDED
    log = env.service.step_logs(env.user, run.run_id, "explode", 0)["text"]
    assert "Traceback" in log and "cannot handle 3" in log
    child = env.tracking.get_run(env.user, steps["explode"].tracking_run_id)
    assert child.info.status is RunStatus.FAILED


@mlops.pipeline
def retried(marker: str):
    flaky(marker=marker).set_retry(2, backoff=0.1)


def test_failed_attempt_is_retried(mlops_pipelines: PipelineEnv, tmp_path: Path) -> None:
    env = mlops_pipelines
    marker = str(tmp_path / "marker")
    run = env.wait(env.service.submit(env.user, retried.compile(), {"marker": marker}).run_id)

    assert run.state == states.SUCCEEDED, run.message
    step = env.steps(run)["flaky"]
    assert step.outputs == {"Output": "ok"}
    assert step.attempt == 2
    log = env.service.step_logs(env.user, run.run_id, "flaky", 0)["text"]
    assert "first attempt fails" in log and "--- attempt 2 ---" in log


@mlops.pipeline
def slow(seconds: float = 30.0):
    sleepy(seconds=seconds)


def test_step_past_its_timeout_is_killed(mlops_pipelines: PipelineEnv) -> None:
    env = mlops_pipelines
    started = time.monotonic()
    run = env.wait(env.service.submit(env.user, slow.compile()).run_id)

    assert time.monotonic() - started < 15
    assert run.state == states.FAILED
    assert env.steps(run)["sleepy"].message == "timed out after 1s"


@mlops.pipeline
def cancelable(seconds: float = 60.0):
    first = add(a=1, b=2)
    sleepy_task = sleepy(seconds=seconds).set_timeout(120)
    add(a=first, b=3).after(sleepy_task)


def test_cancel_kills_running_steps_and_cancels_pending_ones(mlops_pipelines: PipelineEnv) -> None:
    env = mlops_pipelines
    run = env.service.submit(env.user, cancelable.compile())
    deadline = time.monotonic() + 30
    while env.steps(env.service.get_run(env.user, run.run_id))["sleepy"].state != states.RUNNING:
        assert time.monotonic() < deadline
        time.sleep(0.05)

    env.service.cancel(env.user, run.run_id)
    run = env.wait(run.run_id)

    assert run.state == states.CANCELED
    steps = env.steps(run)
    assert steps["sleepy"].state == states.CANCELED
    assert steps["add-2"].state == states.CANCELED
    parent = env.tracking.get_run(env.user, run.tracking_run_id)
    assert parent.info.status is RunStatus.KILLED


@mlops.pipeline
def stamped(path: str):
    stamp(path=path)


def test_second_run_reuses_cached_outputs(mlops_pipelines: PipelineEnv, tmp_path: Path) -> None:
    env = mlops_pipelines
    path = str(tmp_path / "stamps")
    first = env.wait(env.service.submit(env.user, stamped.compile(), {"path": path}).run_id)
    second = env.wait(env.service.submit(env.user, stamped.compile(), {"path": path}).run_id)
    other = env.wait(env.service.submit(env.user, stamped.compile(), {"path": path + "2"}).run_id)

    assert Path(path).read_text() == "ran\n"  # executed once for two runs
    cached = env.steps(second)["stamp"]
    assert cached.cached is True
    assert cached.cached_from == first.run_id
    assert cached.outputs == {"Output": "stamped"}
    assert env.steps(first)["stamp"].cached is False
    assert env.steps(other)["stamp"].cached is False  # other inputs: no hit


@mlops.pipeline
def fan(items: list):
    for item in mlops.parallel_for(items, parallelism=3):
        doubled = add(a=item, b=item)
    return total(values=doubled)


def test_fan_out_runs_each_item_and_fans_in(mlops_pipelines: PipelineEnv) -> None:
    env = mlops_pipelines
    run = env.wait(env.service.submit(env.user, fan.compile(), {"items": [1, 2, 3, 4, 5]}).run_id)

    assert run.state == states.SUCCEEDED, run.message
    steps = env.steps(run)
    assert [steps[f"add[{i}]"].outputs["Output"] for i in range(5)] == [2, 4, 6, 8, 10]
    assert steps["total"].inputs == {"values": [2, 4, 6, 8, 10]}
    assert run.outputs == {"Output": 30}


@mlops.pipeline
def branches(x: int):
    value = add(a=x, b=0)
    with mlops.condition(value > 5):
        add(a=value, b=100)
    with mlops.condition(value <= 5):
        add(a=value, b=-100)


def test_condition_runs_only_the_branch_that_holds(mlops_pipelines: PipelineEnv) -> None:
    env = mlops_pipelines
    run = env.wait(env.service.submit(env.user, branches.compile(), {"x": 7}).run_id)

    assert run.state == states.SUCCEEDED
    steps = env.steps(run)
    assert steps["add-2"].outputs == {"Output": 107}
    assert steps["add-3"].state == states.NOT_TRIGGERED


def test_shell_step_reads_inputs_and_writes_outputs(mlops_pipelines: PipelineEnv) -> None:
    env = mlops_pipelines
    count = mlops.shell_step(
        "count",
        "echo counting {{inputs.word}}; printf '%s' {{inputs.word}} | wc -c > {{outputs.length}}",
        inputs={"word": str},
        outputs={"length": int},
    )

    @mlops.pipeline
    def words(word: str = "pipelines"):
        return count(word=word)

    run = env.wait(env.service.submit(env.user, words.compile()).run_id)

    assert run.state == states.SUCCEEDED, run.message
    assert run.outputs == {"length": 9}
    assert "counting pipelines" in env.service.step_logs(env.user, run.run_id, "count", 0)["text"]


def test_notebook_step_runs_with_parameters_and_keeps_the_executed_notebook(
    mlops_pipelines: PipelineEnv, tmp_path: Path
) -> None:
    env = mlops_pipelines
    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell("factor = 1")
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [
        parameters,
        nbformat.v4.new_code_cell(
            "from jupyter_mlops.pipelines import set_output\n"
            "result = factor * 21\n"
            "print('result is', result)\n"
            "set_output('result', result)"
        ),
    ]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / "train.ipynb"
    nbformat.write(notebook, str(path))
    train = mlops.notebook_step(path, parameters={"factor": int}, outputs={"result": int})

    @mlops.pipeline
    def notebook_pipeline(factor: int = 2):
        return train(factor=factor)

    run = env.wait(env.service.submit(env.user, notebook_pipeline.compile()).run_id, timeout=120)

    assert run.state == states.SUCCEEDED, run.message
    assert run.outputs == {"result": 42}
    step = env.steps(run)["train"]
    executed = env.tracking.artifact_file(env.user, step.tracking_run_id, "notebook/train.ipynb")
    cells = nbformat.read(str(executed), as_version=4).cells
    assert "injected-parameters" in cells[1].metadata["tags"]
    assert "factor = 2" in cells[1].source
    assert "result is 42" in cells[2].outputs[0]["text"]


@mlops.pipeline
def metric_pipeline(x: int = 4):
    logs_metric(x=x)


def test_step_logs_to_its_own_child_tracking_run(mlops_pipelines: PipelineEnv) -> None:
    env = mlops_pipelines
    run = env.wait(env.service.submit(env.user, metric_pipeline.compile()).run_id)

    assert run.state == states.SUCCEEDED, run.message
    child = env.tracking.get_run(env.user, env.steps(run)["logs-metric"].tracking_run_id)
    assert child.metrics["score"].value == 8.0
    assert child.info.status is RunStatus.FINISHED


@mlops.pipeline
def fixable(marker: str):
    first = add(a=1, b=1)
    checked = flaky(marker=marker)
    add(a=first, b=2).after(checked)


def test_retry_from_failure_reruns_only_what_failed(
    mlops_pipelines: PipelineEnv, tmp_path: Path
) -> None:
    env = mlops_pipelines
    marker = str(tmp_path / "marker")
    run = env.wait(env.service.submit(env.user, fixable.compile(), {"marker": marker}).run_id)
    assert run.state == states.FAILED
    assert env.steps(run)["add-2"].state == states.SKIPPED
    first_child = env.steps(run)["add"].tracking_run_id

    env.service.retry(env.user, run.run_id)
    run = env.wait(run.run_id)

    assert run.state == states.SUCCEEDED, run.message
    steps = env.steps(run)
    assert steps["add"].tracking_run_id == first_child  # not run again
    assert steps["flaky"].outputs == {"Output": "ok"}
    assert steps["add-2"].outputs == {"Output": 4}
    assert run.attempt == 2


def test_a_run_whose_driver_died_is_failed_on_reconcile(tmp_path: Path) -> None:
    # Given a run driven by a process that is gone (recorded with a dead pid) ...
    env = make_env(f"sqlite:///{tmp_path / 'store.db'}", tmp_path / "artifacts")
    try:
        run = env.service.engine.create_run(env.user, slow.compile(), {}, "local")
        env.service.engine.store.update_run(
            run.run_id,
            state=states.RUNNING,
            backend_ref="local:" + __import__("socket").gethostname() + ":999999",
        )
        # ... a new backend (a restarted server) reconciles it: no run stays RUNNING.
        env.backend.reconcile()
        run = env.service.get_run(env.user, run.run_id)
        assert run.state == states.FAILED
        assert "interrupted" in run.message
        assert env.steps(run)["sleepy"].state == states.SKIPPED
    finally:
        env.tracking.store.close()


def test_reconcile_leaves_a_run_being_submitted_to_this_process_alone(tmp_path: Path) -> None:
    # A run recorded before a server started, with no driver, was lost with its process; one
    # created since, still without a driver, is being submitted right now (the server's
    # first reconcile pass can run while its first requests are served).
    env = make_env(f"sqlite:///{tmp_path / 'store.db'}", tmp_path / "artifacts")
    try:
        fresh = env.service.engine.create_run(env.user, slow.compile(), {}, "local")
        env.backend.reconcile()
        assert env.service.get_run(env.user, fresh.run_id).state == states.PENDING
        restarted = make_env(env.store_uri, env.artifact_root)  # a later server process
        try:
            restarted.backend.reconcile()
            assert restarted.service.get_run(env.user, fresh.run_id).state == states.FAILED
        finally:
            restarted.tracking.store.close()
    finally:
        env.tracking.store.close()


def test_python_api_submit_wait_outputs_and_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_MLOPS_TRACKING_URI", f"sqlite:///{tmp_path / 'api.db'}")
    monkeypatch.setenv("JUPYTER_MLOPS_ARTIFACT_ROOT", str(tmp_path / "artifacts"))

    handle = mlops.pipelines.submit(arithmetic, arguments={"a": 1, "b": 1})

    assert handle.wait(timeout=60) == "SUCCEEDED"
    assert handle.outputs == {"sum": 12, "parts": 13}
    assert handle.steps["add"].outputs == {"Output": 2}
    assert "adding 1 and 1" in handle.logs("add")
    failed = mlops.pipelines.submit(failing)
    assert failed.wait(timeout=60) == "FAILED"
    assert failed.steps["add"].state == "SKIPPED"


def test_schedule_queue_policy_starts_a_missed_run_after_the_running_one(
    mlops_pipelines: PipelineEnv,
) -> None:
    env = mlops_pipelines
    schedule = env.service.create_schedule(
        env.user, slow.compile(), "* * * * *", arguments={"seconds": 1.5}, policy="queue"
    )
    due = schedule.next_fire_time
    [first] = env.service.fire_due_schedules(due)
    # Due again while the first run still runs: queued, not started.
    assert env.service.fire_due_schedules(due + 60_000) == []
    assert env.service.get_schedule(env.user, schedule.schedule_id).queued == 1
    env.wait(first)
    [second] = env.service.fire_due_schedules(due + 61_000)
    assert second != first
    assert env.service.get_schedule(env.user, schedule.schedule_id).queued == 0
    env.service.cancel(env.user, second)
    env.wait(second)


@mlops.step(cache=False)
def killed() -> None:
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


@mlops.pipeline
def dies():
    add(a=1, b=1).after(killed())


def test_a_killed_runner_fails_its_step_and_the_run(mlops_pipelines: PipelineEnv) -> None:
    env = mlops_pipelines
    run = env.wait(env.service.submit(env.user, dies.compile()).run_id)

    assert run.state == states.FAILED
    steps = env.steps(run)
    assert steps["killed"].message == "the step runner exited with code -9"
    assert steps["add"].state == states.SKIPPED
    # The killed step's tracking run and the pipeline's are marked, never left RUNNING.
    step_run = env.tracking.get_run(env.user, steps["killed"].tracking_run_id)
    assert step_run.info.status.value == "FAILED"
    assert env.tracking.get_run(env.user, run.tracking_run_id).info.status.value == "FAILED"


# -- step processes (forked from the backend's warm runner) ---------------------------------
@mlops.step(cache=False, env={"MLOPS_TEST_GREETING": "hello"})
def whoami(tag: str) -> dict:
    import os
    import random

    return {
        "tag": tag,
        "pid": os.getpid(),
        "group": os.getpgrp(),
        "cwd": os.getcwd(),
        "greeting": os.environ.get("MLOPS_TEST_GREETING"),
        "draw": random.random(),
    }


@mlops.pipeline
def twins():
    whoami(tag="a")
    whoami(tag="b")


def test_each_step_is_a_process_of_its_own_with_its_env_and_folder(
    mlops_pipelines: PipelineEnv,
) -> None:
    env = mlops_pipelines
    run = env.wait(env.service.submit(env.user, twins.compile()).run_id)

    assert run.state == states.SUCCEEDED, run.message
    steps = env.steps(run)
    first, second = steps["whoami"].outputs["Output"], steps["whoami-2"].outputs["Output"]
    assert first["pid"] != second["pid"]
    assert os.getpid() not in (first["pid"], second["pid"])
    # Each leads its own process group: a kill or a timeout takes what it started.
    assert first["group"] == first["pid"] and second["group"] == second["pid"]
    assert first["cwd"] != second["cwd"]
    assert first["greeting"] == second["greeting"] == "hello"
    assert first["draw"] != second["draw"]  # no random state shared between steps
    assert steps["whoami"].backend_ref == f"pid:{first['pid']}"


@mlops.step(timeout=1, cache=False)
def leaves_a_sleeper(path: str) -> None:
    import subprocess
    import time

    sleeper = subprocess.Popen(["sleep", "60"])
    with open(path, "w") as handle:
        handle.write(str(sleeper.pid))
    time.sleep(60)


@mlops.pipeline
def sleeper_pipeline(path: str):
    leaves_a_sleeper(path=path)


def test_a_timeout_kills_the_processes_the_step_started(
    mlops_pipelines: PipelineEnv, tmp_path: Path
) -> None:
    env = mlops_pipelines
    path = tmp_path / "sleeper.pid"
    run = env.wait(
        env.service.submit(env.user, sleeper_pipeline.compile(), {"path": str(path)}).run_id
    )

    assert run.state == states.FAILED
    assert env.steps(run)["leaves-a-sleeper"].message == "timed out after 1s"
    _wait_gone(int(path.read_text()))


@mlops.step(cache=False, env={"PYTHONPATH": "/mlops-test-pythonpath"})
def sees_pythonpath() -> bool:
    import sys

    return "/mlops-test-pythonpath" in sys.path


@mlops.pipeline
def pythonpath_pipeline():
    sees_pythonpath()


def test_a_step_that_sets_python_variables_gets_a_fresh_interpreter(
    mlops_pipelines: PipelineEnv,
) -> None:
    # PYTHONPATH acts when Python starts: a step forked from the warm runner would not
    # see it, so such a step starts a runner of its own.
    env = mlops_pipelines
    run = env.wait(env.service.submit(env.user, pythonpath_pipeline.compile()).run_id)

    assert run.state == states.SUCCEEDED, run.message
    assert env.steps(run)["sees-pythonpath"].outputs == {"Output": True}


@mlops.step(cache=False)
def ends_late(path: str) -> str:
    import atexit
    import threading
    import time

    def last_words() -> None:
        with open(path, "a") as handle:
            handle.write("atexit\n")

    def straggler() -> None:
        time.sleep(0.3)
        with open(path, "a") as handle:
            handle.write("thread\n")

    atexit.register(last_words)
    threading.Thread(target=straggler).start()
    return "returned"


@mlops.pipeline
def late_pipeline(path: str):
    ends_late(path=path)


def test_a_step_process_ends_as_python_does(mlops_pipelines: PipelineEnv, tmp_path: Path) -> None:
    # Its threads are waited for, then its atexit handlers run (a tracking client
    # flushes its metrics there).
    env = mlops_pipelines
    path = tmp_path / "ending"
    run = env.wait(
        env.service.submit(env.user, late_pipeline.compile(), {"path": str(path)}).run_id
    )

    assert run.state == states.SUCCEEDED, run.message
    assert path.read_text() == "thread\natexit\n"


def test_a_killed_fork_server_fails_its_running_steps_and_is_replaced(
    mlops_pipelines: PipelineEnv,
) -> None:
    env = mlops_pipelines
    run = env.service.submit(env.user, nap_pipeline.compile())
    deadline = time.monotonic() + 30
    while not (step := env.steps(env.service.get_run(env.user, run.run_id))["naps"]).backend_ref:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # The step's parent is the fork server (it forked the step and waits for it).
    pid = int(step.backend_ref.removeprefix("pid:"))
    server = psutil.Process(pid).parent()
    assert server is not None and "--fork-server" in server.cmdline()

    server.kill()
    run = env.wait(run.run_id)

    assert run.state == states.FAILED
    assert env.steps(run)["naps"].message == "the step fork server stopped"
    _wait_gone(pid)
    # The next step gets a new server.
    again = env.wait(env.service.submit(env.user, nap_pipeline.compile(), {"seconds": 0}).run_id)
    assert again.state == states.SUCCEEDED, again.message


def _wait_gone(pid: int) -> None:
    """Wait until ``pid`` has ended (a zombie waiting for its reaper counts as ended)."""
    deadline = time.monotonic() + 15
    while True:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        assert time.monotonic() < deadline, f"process {pid} still runs"
        time.sleep(0.05)
