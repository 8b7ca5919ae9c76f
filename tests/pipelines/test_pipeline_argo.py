"""The argo backend: one Workflow per run, validated against Argo's schema (as generated
into hera's models from Argo's OpenAPI document, with unknown fields refused), submitted
through the real `kubernetes` client to the API emulator, executed by a helper that plays
the Argo controller with real step-runner processes (tests/kube_emulator/argo_controller.py),
and read back into step rows: fan-in and loop bodies of chained steps give what the local
backend gives, and retry from failure re-runs only what failed, also after a server restart
and over REST."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cluster_support import EmulatedCluster, emulated_cluster
from hera.workflows.models import Workflow
from kube_emulator import KubeEmulator
from kube_emulator.jobs import PodRunner, WorkflowRunner
from pipeline_support import make_env, server_config
from traitlets.config import Config

import jupyter_mlops as mlops
from jupyter_mlops.auth import SqlTokenStore, TokenService
from jupyter_mlops.errors import InvalidParameter, InvalidState
from jupyter_mlops.kube.client import KubeConfig
from jupyter_mlops.pipelines.server.argo_retry import retry_workflow
from jupyter_mlops.pipelines.server.argo_workflow import node_id, pod_name
from jupyter_mlops.pipelines.server.backends.argo import ArgoBackend
from jupyter_mlops.pipelines.server.backends.base import BackendSettings
from jupyter_mlops.pipelines.server.engine import RunEngine
from jupyter_mlops.pipelines.server.manifests import runner_command
from jupyter_mlops.pipelines.server.service import PipelineService
from jupyter_mlops.pipelines.server.store.sql_store import SqlPipelineStore
from jupyter_mlops.pipelines.spec import states
from jupyter_mlops.server.extension import ENV_TOKEN, ENV_TRACKING_URI

pytestmark = pytest.mark.slow

NAMESPACE = "argo-runs"


@mlops.step(retries=2, timeout=300)
def flip(seed: int) -> str:
    print(f"flipping with seed {seed}")
    return "heads" if seed % 2 else "tails"


@mlops.step
def shout(word: str, times: int) -> str:
    return word.upper() * times


@mlops.step
def explode(word: str) -> str:
    raise RuntimeError(f"no {word}")


@mlops.pipeline
def coin(seed: int = 1):
    side = flip(seed=seed)
    with mlops.condition(side == "heads"):
        loud = shout(word=side, times=2)
    with mlops.condition(side == "tails"):
        shout(word=side, times=1)
    for n in mlops.parallel_for([1, 3]):
        shout(word="x", times=n)
    return loud


@mlops.pipeline
def doomed():
    shout(word=explode(word="luck"), times=1)


@mlops.step
def square(x: int) -> int:
    return x * x


@mlops.step
def describe(n: int) -> dict:
    return {"n": n, "odd": n % 2 == 1}


@mlops.step
def summarize(words: list, squares: list, infos: list) -> dict:
    return {"words": words, "squares": squares, "infos": infos}


@mlops.step
def add_up(values: list) -> int:
    return sum(values)


@mlops.step(cache=False)
def count(path: str) -> int:
    # Each real execution adds a line: a step run again is visible.
    with open(path, "a") as handle:
        handle.write("ran\n")
    with open(path) as handle:
        return len(handle.read().splitlines())


@mlops.step(cache=False)
def fragile(marker: str, n: int) -> int:
    # Iteration 2 fails until the marker file exists ("the bug was fixed").
    import os

    if n == 2 and not os.path.exists(marker):
        raise RuntimeError(f"cannot handle {n} yet")
    return n * 10


@mlops.pipeline
def gather():
    for n in mlops.parallel_for([1, 2, 3]):
        word = shout(word="a", times=n)
        squared = square(x=n).set_retry(1)  # iterations as Retry nodes
        info = describe(n=n)
    return summarize(words=word, squares=squared, infos=info)


@mlops.pipeline
def mending(marker: str, counter: str):
    first = count(path=counter)
    for n in mlops.parallel_for([1, 2]):
        part = fragile(marker=marker, n=n).after(first)
    return add_up(values=part)


@mlops.pipeline
def patchy(marker: str):
    return square(x=fragile(marker=marker, n=2))


@mlops.step
def scale(x: int, by: int) -> int:
    print(f"scaling {x} by {by}")
    return x * by


@mlops.pipeline
def chained(factor: int = 3):
    by = square(x=factor)  # from outside the loop into its body
    for n in mlops.parallel_for([1, 2, 3]):
        squared = square(x=n)
        scaled = scale(x=squared, by=by).set_retry(1)  # a Retry node in the body
        info = describe(n=scaled)
        with mlops.condition(n == 2):  # skipped in two iterations: the fan-in is whole
            shout(word="b", times=n)
    return summarize(words=squared, squares=scaled, infos=info)


@mlops.pipeline
def stranded():
    broken = explode(word="luck")
    for n in mlops.parallel_for([1, 2]):
        said = shout(word=broken, times=n)
        square(x=n).after(said)


@mlops.pipeline
def brittle(marker: str):
    for n in mlops.parallel_for([1, 2, 3]):
        part = fragile(marker=marker, n=n)
        squared = square(x=part)
    return add_up(values=squared)


@mlops.pipeline
def picky():
    for n in mlops.parallel_for([1, 2]):
        word = shout(word="a", times=n)
        with mlops.condition(n == 1):
            square(x=n)
    add_up(values=word)


def _strict(schema: Any) -> Any:
    """Argo's schema with every object closed (hera's models allow extra fields)."""
    if isinstance(schema, dict):
        schema = {key: _strict(value) for key, value in schema.items()}
        if schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
        return schema
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


ARGO_SCHEMA = _strict(Workflow.model_json_schema(by_alias=True))


class ArgoCluster(EmulatedCluster):
    backend: ArgoBackend

    def __init__(self, emulator: KubeEmulator, tmp_path: Path) -> None:
        super().__init__(emulator, tmp_path)
        engine = RunEngine(SqlPipelineStore(self.tracking_store.database), self.tracking)
        # Each run's steps get a token of its own, as the server extension wires it.
        self.tokens = TokenService(SqlTokenStore(self.tracking_store.database), ())
        self.backend = ArgoBackend(
            engine,
            BackendSettings(
                tracking_uri="http://mlops.example:8888/",
                tracking_token="secret-token",
                namespace=NAMESPACE,
                kube_config=KubeConfig(host=emulator.url),
                tokens=self.tokens,
            ),
        )
        self.service = PipelineService(engine, {"argo": self.backend}, "argo", (self.user,))
        self.controller = WorkflowRunner(self.pods)

    def workflow(self, run_id: str) -> dict[str, Any]:
        found = self.emulator.list("argoproj.io/v1alpha1", "Workflow", NAMESPACE)
        return next(
            w for w in found if w["metadata"]["labels"]["mlops.jupyter.org/pipeline-run"] == run_id
        )

    def play(self, run_id: str) -> Any:
        """Argo runs the workflow; the server's reconcile reads it back."""
        self.controller.run(NAMESPACE, self.workflow(run_id)["metadata"]["name"])
        self.backend.reconcile()
        return self.service.get_run(self.user, run_id)

    def run_token(self, run_id: str) -> str | None:
        """The token in the run's Secret (None: no Secret), checked to act as the user."""
        secret = self.emulator.get("v1", "Secret", NAMESPACE, f"mlops-{run_id[:12]}-token")
        if secret is None:
            return None
        token = self.tokens.authenticate(secret["stringData"]["token"])
        assert token is not None and token.owner == self.user
        return str(secret["stringData"]["token"])

    def node(self, run_id: str, display: str) -> dict[str, Any]:
        nodes = self.workflow(run_id)["status"]["nodes"].values()
        return next(n for n in nodes if n["displayName"] == display)


def _validate(workflow: dict[str, Any]) -> None:
    """Against Argo's schema, unknown fields refused (server-set metadata left out)."""
    document = dict(workflow)
    document["metadata"] = {
        k: workflow["metadata"][k]
        for k in ("name", "namespace", "labels", "annotations")
        if k in workflow["metadata"]
    }
    jsonschema.validate(document, ARGO_SCHEMA)
    Workflow.model_validate(document)


def _on_local(tmp_path: Path, pipeline: Any, arguments: dict[str, Any] | None = None) -> Any:
    """The run as the local backend leaves it (the reference for the argo backend)."""
    local = make_env(f"sqlite:///{tmp_path / 'local.db'}", tmp_path / "local-artifacts")
    try:
        return local.wait(local.service.submit(local.user, pipeline.compile(), arguments).run_id)
    finally:
        local.backend.close()
        local.tracking.store.close()


def _states(run: Any) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Step instances' states, outputs and why they did not run (a failed step's message
    is the backend's own: Argo's node message, the local runner's exception)."""
    return {
        s.step_id: (s.state, "" if s.state == states.FAILED else s.message, s.outputs)
        for s in run.steps or []
    }


@pytest.fixture
def mlops_argo(tmp_path: Path) -> Iterator[ArgoCluster]:
    with emulated_cluster(ArgoCluster, tmp_path) as cluster:
        yield cluster


def test_run_compiles_to_one_valid_workflow_and_reads_back(mlops_argo: ArgoCluster) -> None:
    cluster = mlops_argo
    run = cluster.service.submit(cluster.user, coin.compile(), {"seed": 3})
    workflow = cluster.workflow(run.run_id)
    _validate(workflow)
    dag = workflow["spec"]["templates"][0]["dag"]
    assert dag["failFast"] is False  # independent branches finish, as on the other backends
    tasks = {t["name"]: t for t in dag["tasks"]}
    assert tasks["shout"]["depends"] == "flip.Succeeded"
    assert tasks["shout"]["when"] == "{{tasks.flip.outputs.parameters.Output}} == 'heads'"
    assert tasks["shout-3"]["withItems"] == ["1", "3"]
    flip_template = next(t for t in workflow["spec"]["templates"] if t["name"] == "step-flip")
    assert flip_template["retryStrategy"]["limit"] == "2"
    assert flip_template["activeDeadlineSeconds"] == "300"
    # The runner's bootstrap is in the Workflow once, not in each of its step templates.
    defaults = workflow["spec"]["templateDefaults"]["container"]
    assert defaults["command"] == runner_command()
    assert not [t for t in workflow["spec"]["templates"] if "command" in t.get("container", {})]

    run = cluster.play(run.run_id)

    assert run.state == states.SUCCEEDED, run.message
    assert run.outputs == {"Output": "HEADSHEADS"}
    steps = {s.step_id: s for s in run.steps or []}
    assert steps["flip"].outputs == {"Output": "heads"}
    assert steps["shout-2"].state == states.NOT_TRIGGERED
    assert steps["shout-2"].message.startswith("condition is false")
    assert steps["shout-3[1]"].outputs == {"Output": "XXX"}
    # flip has retries: Argo runs it as a Retry node whose attempt pod holds the log.
    assert cluster.node(run.run_id, "flip")["type"] == "Retry"
    assert (
        "flipping with seed 3"
        in cluster.service.step_logs(cluster.user, run.run_id, "flip", 0)["text"]
    )
    child = cluster.tracking.get_run(cluster.user, steps["shout-3[1]"].tracking_run_id)
    assert child.info.parent_run_id == run.tracking_run_id


def test_failed_workflow_fails_the_run(mlops_argo: ArgoCluster) -> None:
    cluster = mlops_argo
    run_id = cluster.service.submit(cluster.user, doomed.compile()).run_id
    # Every step template reads the token of the run's owner from the run's own Secret.
    token = cluster.run_token(run_id)
    assert token is not None
    for template in cluster.workflow(run_id)["spec"]["templates"]:
        if "container" in template:
            env = {e["name"]: e for e in template["container"]["env"]}
            secret_ref = env["JUPYTER_MLOPS_TOKEN"]["valueFrom"]["secretKeyRef"]
            assert secret_ref["name"] == f"mlops-{run_id[:12]}-token"

    run = cluster.play(run_id)

    assert run.state == states.FAILED
    # The run ended: its token is revoked, its Secret deleted.
    assert cluster.run_token(run_id) is None and cluster.tokens.authenticate(token) is None
    steps = {s.step_id: s for s in run.steps or []}
    assert steps["explode"].state == states.FAILED
    assert steps["shout"].state == states.SKIPPED
    assert steps["shout"].message == "upstream step 'explode' failed"
    assert "no luck" in cluster.service.step_logs(cluster.user, run.run_id, "explode", 0)["text"]


def test_cancel_terminates_the_workflow(mlops_argo: ArgoCluster) -> None:
    cluster = mlops_argo
    run = cluster.service.submit(cluster.user, coin.compile())
    assert cluster.run_token(run.run_id) is not None
    run = cluster.service.cancel(cluster.user, run.run_id)

    assert run.state == states.CANCELED
    assert cluster.workflow(run.run_id)["spec"]["shutdown"] == "Terminate"
    assert cluster.run_token(run.run_id) is None


def test_fan_in_gives_the_same_outputs_as_the_local_backend(
    mlops_argo: ArgoCluster, tmp_path: Path
) -> None:
    cluster = mlops_argo
    run = cluster.play(cluster.service.submit(cluster.user, gather.compile()).run_id)
    expected = _on_local(tmp_path, gather)

    assert run.state == expected.state == states.SUCCEEDED, run.message
    assert run.outputs == expected.outputs
    assert run.outputs["Output"] == {
        "words": ["A", "AA", "AAA"],
        "squares": [1, 4, 9],
        "infos": [{"n": 1, "odd": True}, {"n": 2, "odd": False}, {"n": 3, "odd": True}],
    }
    steps = {s.step_id: (s.state, s.outputs) for s in run.steps or []}
    assert steps == {s.step_id: (s.state, s.outputs) for s in expected.steps or []}
    # What Argo handed over: scalars as the values' JSON text, objects parsed.
    inputs = {
        p["name"]: p["value"] for p in cluster.node(run.run_id, "summarize")["inputs"]["parameters"]
    }
    assert json.loads(inputs["squares"]) == ["1", "4", "9"]
    assert json.loads(inputs["words"]) == ['"A"', '"AA"', '"AAA"']
    assert json.loads(inputs["infos"])[1] == {"n": 2, "odd": False}
    with pytest.raises(InvalidState):  # only failed or canceled runs are retried
        cluster.service.retry(cluster.user, run.run_id)


def test_chained_loop_steps_run_as_a_loop_body_as_on_the_local_backend(
    mlops_argo: ArgoCluster, tmp_path: Path
) -> None:
    cluster = mlops_argo
    run = cluster.service.submit(cluster.user, chained.compile(), {"factor": 3})
    workflow = cluster.workflow(run.run_id)
    _validate(workflow)
    # The loop is one task of the main DAG running its body, a DAG template, per item: the
    # item and the outside step's output go in as inputs, the fanned-in outputs come out.
    templates = {t["name"]: t for t in workflow["spec"]["templates"]}
    main = {t["name"]: t for t in templates["main"]["dag"]["tasks"]}
    assert set(main) == {"square", "for-loop-1", "summarize"}
    loop = main["for-loop-1"]
    assert loop["withItems"] == ["1", "2", "3"] and loop["depends"] == "square.Succeeded"
    assert main["summarize"]["depends"] == "for-loop-1.Succeeded"
    body = templates[loop["template"]]
    inner = {t["name"]: t for t in body["dag"]["tasks"]}
    assert inner["scale"]["depends"] == "square-2.Succeeded"
    assert inner["describe"]["depends"] == "scale.Succeeded"
    assert inner["shout"]["when"] == "{{inputs.parameters.item}} == 2"
    assert body["dag"]["failFast"] is False
    assert {p["name"]: p["value"] for p in loop["arguments"]["parameters"]} == {
        "item": "{{item}}",
        "square-Output": "{{tasks.square.outputs.parameters.Output}}",
    }

    run = cluster.play(run.run_id)
    expected = _on_local(tmp_path, chained, {"factor": 3})

    assert run.state == expected.state == states.SUCCEEDED, run.message
    assert (
        run.outputs
        == expected.outputs
        == {
            "Output": {
                "words": [1, 4, 9],
                "squares": [9, 36, 81],
                "infos": [{"n": 9, "odd": True}, {"n": 36, "odd": False}, {"n": 81, "odd": True}],
            }
        }
    )
    assert _states(run) == _states(expected)
    assert _states(run)["shout[0]"][0] == states.NOT_TRIGGERED
    assert _states(run)["shout[1]"][2] == {"Output": "BB"}
    # Argo's nodes of an iteration: a DAG node under the loop's TaskGroup, the steps' nodes
    # (here a Retry node) inside it.
    workflow = cluster.workflow(run.run_id)
    nodes, name = workflow["status"]["nodes"], workflow["metadata"]["name"]
    iteration = nodes[node_id(name, f"{name}.for-loop-1(1:2)")]
    assert iteration["type"] == "DAG"
    assert nodes[node_id(name, f"{name}.for-loop-1(1:2).scale")]["type"] == "Retry"
    # Each iteration's step has its own pod, log and tracking run.
    steps = {s.step_id: s for s in run.steps or []}
    assert (
        "scaling 4 by 9" in cluster.service.step_logs(cluster.user, run.run_id, "scale[1]")["text"]
    )
    runs = {steps[f"scale[{i}]"].tracking_run_id for i in range(3)}
    assert len(runs) == 3 and None not in runs
    child = cluster.tracking.get_run(cluster.user, steps["scale[1]"].tracking_run_id)
    assert child.info.parent_run_id == run.tracking_run_id


def test_failed_loop_body_step_fails_the_run_and_retry_reruns_only_it(
    mlops_argo: ArgoCluster, tmp_path: Path
) -> None:
    cluster = mlops_argo
    marker = tmp_path / "fixed"
    run = cluster.play(
        cluster.service.submit(cluster.user, brittle.compile(), {"marker": str(marker)}).run_id
    )
    expected = _on_local(tmp_path, brittle, {"marker": str(marker)})

    # As on the local backend: the other iterations finish, what follows the failed step
    # in its iteration and the fan-in are skipped.
    assert run.state == expected.state == states.FAILED
    assert _states(run) == _states(expected)
    before = {s.step_id: s for s in run.steps or []}
    assert {k: s.state for k, s in before.items()} == {
        "fragile[0]": states.SUCCEEDED,
        "fragile[1]": states.FAILED,
        "fragile[2]": states.SUCCEEDED,
        "square[0]": states.SUCCEEDED,
        "square[1]": states.SKIPPED,
        "square[2]": states.SUCCEEDED,
        "add-up": states.SKIPPED,
    }
    assert before["square[1]"].message == "upstream step 'fragile[1]' failed"
    assert (
        "cannot handle 2 yet"
        in cluster.service.step_logs(cluster.user, run.run_id, "fragile[1]")["text"]
    )

    marker.touch()
    run = cluster.service.retry(cluster.user, run.run_id)
    workflow = cluster.workflow(run.run_id)
    _validate(workflow)
    phases = {n["name"]: n["phase"] for n in workflow["status"]["nodes"].values()}
    name = workflow["metadata"]["name"]
    assert f"{name}.for-loop-1(1:2).fragile" not in phases
    assert phases[f"{name}.for-loop-1(1:2)"] == phases[f"{name}.for-loop-1"] == "Running"
    assert phases[f"{name}.for-loop-1(2:3).square"] == "Succeeded"
    run = cluster.play(run.run_id)

    assert run.state == states.SUCCEEDED, run.message
    assert run.outputs == {"Output": 100 + 400 + 900}
    after = {s.step_id: s for s in run.steps or []}
    for kept in ("fragile[0]", "fragile[2]", "square[0]", "square[2]"):
        assert after[kept].tracking_run_id == before[kept].tracking_run_id
    assert len(cluster.pods.ran) == len(set(cluster.pods.ran)) + 1  # only fragile[1] twice
    assert after["square[1]"].outputs == {"Output": 400}


def test_a_loop_body_after_a_failed_step_is_skipped_as_on_the_local_backend(
    mlops_argo: ArgoCluster, tmp_path: Path
) -> None:
    cluster = mlops_argo
    run = cluster.play(cluster.service.submit(cluster.user, stranded.compile()).run_id)
    expected = _on_local(tmp_path, stranded)

    # Argo omits the loop's task; every iteration's steps are skipped, as the planner does.
    assert run.state == expected.state == states.FAILED
    assert _states(run) == _states(expected)
    assert _states(run)["square[1]"] == (
        states.SKIPPED,
        "upstream step 'shout[1]' did not run",
        {},
    )


@pytest.mark.parametrize(
    ("pipeline", "field"),
    [
        (picky, "root.dag.tasks.add-up.inputs.parameters.values"),
    ],
)
def test_what_one_flat_dag_cannot_express_is_refused_before_a_run_exists(
    mlops_argo: ArgoCluster, pipeline: Any, field: str
) -> None:
    cluster = mlops_argo
    with pytest.raises(InvalidParameter) as refused:
        cluster.service.submit(cluster.user, pipeline.compile())
    assert refused.value.field == field
    assert cluster.service.list_runs(cluster.user).items == []


def test_retry_from_failure_reruns_only_what_failed(
    mlops_argo: ArgoCluster, tmp_path: Path
) -> None:
    cluster = mlops_argo
    marker, counter = tmp_path / "fixed", tmp_path / "counter"
    run = cluster.service.submit(
        cluster.user, mending.compile(), {"marker": str(marker), "counter": str(counter)}
    )
    run = cluster.play(run.run_id)
    assert run.state == states.FAILED
    before = {s.step_id: s for s in run.steps or []}
    assert {k: s.state for k, s in before.items()} == {
        "count": states.SUCCEEDED,
        "fragile[0]": states.SUCCEEDED,
        "fragile[1]": states.FAILED,
        "add-up": states.SKIPPED,
    }
    failed_pod = cluster.pods.ran[-1]

    assert cluster.run_token(run.run_id) is None  # the failed run's token was revoked
    marker.touch()
    run = cluster.service.retry(cluster.user, run.run_id)
    assert cluster.run_token(run.run_id) is not None  # a fresh one for the retried steps

    # Our side, as on the other backends: the run and its tracking run are running again.
    assert run.state == states.RUNNING and run.attempt == 2
    steps = {s.step_id: s for s in run.steps or []}
    assert steps["fragile[1]"].state == steps["add-up"].state == states.PENDING
    assert steps["count"].state == states.SUCCEEDED
    parent = cluster.tracking.get_run(cluster.user, str(run.tracking_run_id))
    assert parent.info.status.value == "RUNNING"
    # The cluster's side, as `argo retry` leaves it: failed nodes and their pod gone.
    workflow = cluster.workflow(run.run_id)
    _validate(workflow)
    assert workflow["status"]["phase"] == "Running"
    assert "workflows.argoproj.io/completed" not in workflow["metadata"]["labels"]
    displays = {n["displayName"]: n["phase"] for n in workflow["status"]["nodes"].values()}
    assert "fragile(1:2)" not in displays and "add-up" not in displays
    assert displays["count"] == displays["fragile(0:1)"] == "Succeeded"
    assert cluster.emulator.get("v1", "Pod", NAMESPACE, failed_pod) is None

    run = cluster.play(run.run_id)

    assert run.state == states.SUCCEEDED, run.message
    assert run.outputs == {"Output": 30}
    after = {s.step_id: s for s in run.steps or []}
    assert counter.read_text().splitlines() == ["ran"]  # count did not run again
    for kept in ("count", "fragile[0]"):
        assert after[kept].tracking_run_id == before[kept].tracking_run_id
    assert len(cluster.pods.ran) == len(set(cluster.pods.ran)) + 1  # only fragile(1) twice
    rerun = cluster.tracking.get_run(cluster.user, after["fragile[1]"].tracking_run_id)
    assert rerun.info.run_id != before["fragile[1]"].tracking_run_id
    assert rerun.info.status.value == "FINISHED"
    assert rerun.info.parent_run_id == run.tracking_run_id
    parent = cluster.tracking.get_run(cluster.user, str(run.tracking_run_id))
    assert parent.info.status.value == "FINISHED"


def test_retry_is_finished_by_a_restarted_server(mlops_argo: ArgoCluster, tmp_path: Path) -> None:
    cluster = mlops_argo
    marker = tmp_path / "fixed"
    run = cluster.play(
        cluster.service.submit(cluster.user, patchy.compile(), {"marker": str(marker)}).run_id
    )
    assert run.state == states.FAILED
    marker.touch()
    # The server recorded the retry, then stopped before it touched the workflow ...
    cluster.service.engine.reset_for_retry(run)
    cluster.backend.close()
    cluster.backend = ArgoBackend(cluster.backend.engine, cluster.backend.settings)
    cluster.service.backends["argo"] = cluster.backend
    assert cluster.workflow(run.run_id)["status"]["phase"] == "Failed"

    # ... and its successor's reconcile retries the workflow: Argo resumes it, and the
    # retried steps get a token (the failed run's was revoked).
    assert cluster.run_token(run.run_id) is None
    cluster.backend.reconcile()
    assert cluster.workflow(run.run_id)["status"]["phase"] == "Running"
    assert cluster.run_token(run.run_id) is not None
    run = cluster.play(run.run_id)

    assert run.state == states.SUCCEEDED, run.message
    assert run.outputs == {"Output": 400}


def test_retry_keeps_a_step_whose_later_attempt_succeeded() -> None:
    # Given a failed workflow as Argo leaves it: "a" failed once, then succeeded (a Retry
    # node); "b" after it failed; "c" after "b" was omitted ...
    def node(name: str, type_: str, phase: str, children: list[str], **extra: Any) -> Any:
        full = f"wf.{name}"
        return node_id("wf", full), {
            "id": node_id("wf", full),
            "name": full,
            "displayName": name,
            "type": type_,
            "phase": phase,
            "templateName": f"step-{name[0]}",
            "boundaryID": "wf",
            "children": [node_id("wf", f"wf.{c}") for c in children],
            **extra,
        }

    retried = {"nodeFlag": {"retried": True}}
    nodes = dict(
        [
            node("a", "Retry", "Succeeded", ["a(0)", "a(1)"]),
            node("a(0)", "Pod", "Failed", [], **retried),
            node("a(1)", "Pod", "Succeeded", ["b"], **retried),
            node("b", "Pod", "Failed", ["c"]),
            node("c", "Skipped", "Omitted", []),
        ]
    )
    nodes["wf"] = {
        "id": "wf",
        "name": "wf",
        "type": "DAG",
        "phase": "Failed",
        "children": [node_id("wf", "wf.a")],
    }
    workflow = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {
            "name": "wf",
            "namespace": NAMESPACE,
            "labels": {"workflows.argoproj.io/completed": "true"},
        },
        "spec": {
            "entrypoint": "main",
            "shutdown": "Terminate",
            "arguments": {"parameters": [{"name": "mlops-attempt", "value": "1"}]},
            "templates": [{"name": "main", "dag": {"tasks": []}}],
        },
        "status": {"phase": "Failed", "nodes": nodes},
    }

    # ... `argo retry` removes "b" and "c", keeps "a" with both attempts (its Retry node is
    # Running again, above b: the controller ends it as its last attempt), deletes b's pod.
    new, pods = retry_workflow(workflow, attempt=2)

    kept = {n["name"]: n["phase"] for n in new["status"]["nodes"].values()}
    assert kept == {
        "wf": "Running",
        "wf.a": "Running",
        "wf.a(0)": "Failed",
        "wf.a(1)": "Succeeded",
    }
    assert new["status"]["nodes"][node_id("wf", "wf.a(1)")]["children"] == []
    assert pods == [pod_name(workflow, nodes[node_id("wf", "wf.b")])]
    assert pods[0].startswith("wf-step-b-")
    assert new["status"]["phase"] == "Running" and "shutdown" not in new["spec"]
    assert new["metadata"]["labels"] == {"workflows.argoproj.io/phase": "Running"}
    assert new["spec"]["arguments"]["parameters"] == [{"name": "mlops-attempt", "value": "2"}]
    _validate(new)
    with pytest.raises(InvalidState):  # only a Failed or Error workflow
        retry_workflow(new, attempt=3)


# -- over REST, the server configured with the argo backend ---------------------------------
@pytest.fixture
def jp_server_config(tmp_path: Path, mlops_emulator: KubeEmulator) -> Config:
    return server_config(
        tmp_path,
        default_user="owner",
        Pipelines={
            "backend_class": "jupyter_mlops.pipelines.server.backends.argo.ArgoBackend",
            "namespace": NAMESPACE,
            "poll_interval": 0.2,
            "tracking_url": "http://mlops.example:8888/",
        },
        Kube={"api_host": mlops_emulator.url},
    )


async def test_rest_retry_of_an_argo_run_resumes_its_workflow(
    jp_serverapp: Any,
    jp_fetch: Any,
    mlops_emulator: KubeEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENV_TRACKING_URI, raising=False)
    monkeypatch.delenv(ENV_TOKEN, raising=False)
    controller = WorkflowRunner(
        PodRunner(
            mlops_emulator,
            env={
                "JUPYTER_MLOPS_TRACKING_URI": f"sqlite:///{tmp_path / 'store' / 'mlops.db'}",
                "JUPYTER_MLOPS_ARTIFACT_ROOT": str(tmp_path / "artifacts"),
            },
        )
    )
    loop = asyncio.get_running_loop()

    async def call(method: str, path: str, body: Any = None) -> tuple[int, Any]:
        response = await jp_fetch(
            "mlops",
            "api",
            *path.split("/"),
            method=method,
            raise_error=False,
            body=None if body is None else json.dumps(body),
            allow_nonstandard_methods=True,
        )
        return response.code, json.loads(response.body)

    async def play_until(run_id: str, wanted: str) -> dict[str, Any]:
        name = (await call("GET", f"pipeline-runs/{run_id}"))[1]["run"]["backend_ref"]
        await loop.run_in_executor(None, controller.run, NAMESPACE, name)
        for _ in range(300):  # the server's reconcile loop reads the workflow back
            run: dict[str, Any] = (await call("GET", f"pipeline-runs/{run_id}"))[1]["run"]
            if run["state"] == wanted:
                return run
            await asyncio.sleep(0.1)
        raise AssertionError(f"run {run_id} is {run['state']}, not {wanted}")

    marker = tmp_path / "fixed"
    status, body = await call(
        "POST", "pipeline-runs", {"spec": patchy.compile(), "arguments": {"marker": str(marker)}}
    )
    assert status == 201, body
    run_id = body["run"]["run_id"]
    await play_until(run_id, "FAILED")
    marker.touch()

    status, body = await call("POST", f"pipeline-runs/{run_id}/retry", {})

    assert status in (200, 202), body
    assert body["run"]["state"] == "RUNNING" and body["run"]["attempt"] == 2
    run = await play_until(run_id, "SUCCEEDED")
    assert run["outputs"] == {"Output": 400}
